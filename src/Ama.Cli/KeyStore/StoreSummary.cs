using Ama.Cryptography.KeyManagement;

namespace Ama.Cli.KeyStore;

/// <summary>What <c>ama keystore info</c> shows: counts and the KDF of an open store, never secrets.</summary>
internal sealed record StoreSummary(int FormatVersion, KeyStoreKdf? Kdf, int Keys, int Versions, long Generation)
{
    /// <summary>Gets the JSON name of the KDF: argon2id, pbkdf2, or raw-key when there is none.</summary>
    internal string KdfAlgorithm => Kdf?.Algorithm switch
    {
        null => "raw-key",
        KeyStoreKdfAlgorithm.Argon2id => "argon2id",
        KeyStoreKdfAlgorithm.Pbkdf2Sha256 => "pbkdf2",
        { } other => other.ToString(),
    };

    /// <summary>Gets the KDF as people read it, e.g. Argon2id(m=65536 KiB, t=3, p=1).</summary>
    internal string KdfDescription => Kdf?.ToString() ?? "none (raw 32-byte key)";

    internal static StoreSummary Of(SecureKeyStorage storage)
    {
        IReadOnlyList<string> names = storage.ListKeys();
        // The version of the image as read: 1 until a store written by an older library is next written (then 2).
        return new(storage.FormatVersion, storage.Kdf, names.Count, names.Sum(name => storage.ListVersions(name).Count), storage.Generation);
    }
}
