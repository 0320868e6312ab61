using System.Runtime.InteropServices;

namespace Ama.Cryptography.Benchmarks.Interop;

/// <summary>libsodium's crypto_pwhash, called directly: the baseline for the key store's Argon2id through NSec.</summary>
internal static partial class SodiumPwhash
{
    /// <summary>crypto_pwhash_ALG_ARGON2ID13.</summary>
    internal const int AlgArgon2id13 = 2;

    private const string Library = "libsodium";

    [LibraryImport(Library, EntryPoint = "sodium_init")]
    internal static partial int SodiumInit();

    [LibraryImport(Library, EntryPoint = "crypto_pwhash")]
    internal static unsafe partial int Pwhash(byte* output, ulong outputLength, byte* password, ulong passwordLength, byte* salt, ulong opsLimit, nuint memLimitBytes, int algorithm);
}
