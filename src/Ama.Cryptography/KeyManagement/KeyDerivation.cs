using System.Security.Cryptography;
using Ama.Cryptography.Interop;
using NSec.Cryptography;

namespace Ama.Cryptography.KeyManagement;

/// <summary>Password KDFs and the HKDF labels that split one key into keys for separate purposes.</summary>
internal static class KeyDerivation
{
    internal const int KeyLength = 32;
    internal const int SaltLength = 16;

    internal static ReadOnlySpan<byte> WrapLabel => "AMA key store v1: wrap the data key"u8;

    internal static ReadOnlySpan<byte> CommitLabel => "AMA key store v1: key commitment"u8;

    internal static ReadOnlySpan<byte> EntryLabel => "AMA key store v1: entry encryption"u8;

    internal static ReadOnlySpan<byte> MacLabel => "AMA key store v1: whole-file MAC"u8;

    /// <summary>The MAC key of format version 2, followed by the store's <see cref="KeyStoreBinding"/> as the HKDF context.</summary>
    internal static ReadOnlySpan<byte> BoundMacLabel => "AMA key store v2: whole-store MAC bound to its place"u8;

    internal static void DerivePasswordKey(ReadOnlySpan<byte> password, KeyStoreKdf kdf, ReadOnlySpan<byte> salt, Span<byte> output)
    {
        if (kdf.Algorithm == KeyStoreKdfAlgorithm.Argon2id)
        {
            var argon2 = PasswordBasedKeyDerivationAlgorithm.Argon2id(new Argon2Parameters
            {
                DegreeOfParallelism = 1,
                MemorySize = kdf.MemoryKiB,
                NumberOfPasses = kdf.Iterations,
            });
            argon2.DeriveBytes(password, salt, output);
        }
        else
        {
            Rfc2898DeriveBytes.Pbkdf2(password, salt, output, kdf.Iterations, HashAlgorithmName.SHA256);
        }

        ScrubbedCall.AfterForeignCall();
    }

    /// <summary>HKDF-Expand (RFC 5869) of a uniformly random 32-byte key; the label separates purposes.</summary>
    internal static void Expand(ReadOnlySpan<byte> key, ReadOnlySpan<byte> label, ReadOnlySpan<byte> context, Span<byte> output)
    {
        Span<byte> info = stackalloc byte[label.Length + context.Length];
        label.CopyTo(info);
        context.CopyTo(info[label.Length..]);
        HKDF.Expand(HashAlgorithmName.SHA256, key, output, info);
        ScrubbedCall.AfterForeignCall();
    }
}
