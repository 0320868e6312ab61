using System.Buffers.Binary;
using Ama.Cryptography.KeyManagement;

namespace Ama.Cli.KeyStore;

/// <summary>
/// The public, unencrypted fields of a key store header (docs/keystore-format.md) that the API does
/// not expose: the format version and the KDF. Read only after <see cref="SecureKeyStorage.Open"/>
/// has checked the whole file.
/// </summary>
internal sealed record KeyStoreHeader(int FormatVersion, string Kdf, string KdfName, int KdfMemoryKiB, int KdfIterations)
{
    private const int Length = 52;

    internal static KeyStoreHeader Read(string path)
    {
        Span<byte> header = stackalloc byte[Length];
        using (var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, bufferSize: 0))
        {
            file.ReadExactly(header);
        }

        int version = BinaryPrimitives.ReadUInt16LittleEndian(header[8..]);
        byte kdf = header[36];
        int memory = (int)BinaryPrimitives.ReadUInt32LittleEndian(header[40..]);
        int iterations = (int)BinaryPrimitives.ReadUInt32LittleEndian(header[44..]);
        return kdf switch
        {
            0 => new(version, "raw-key", "none (raw 32-byte key)", 0, 0),
            (byte)KeyStoreKdfAlgorithm.Argon2id => new(version, "argon2id", $"Argon2id(m={memory} KiB, t={iterations}, p=1)", memory, iterations),
            (byte)KeyStoreKdfAlgorithm.Pbkdf2Sha256 => new(version, "pbkdf2", $"PBKDF2-HMAC-SHA256({iterations} iterations)", 0, iterations),
            _ => throw new KeyStoreDamagedException($"The key store '{path}' names an unknown KDF."),
        };
    }
}
