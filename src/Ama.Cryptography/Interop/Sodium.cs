using System.Runtime.InteropServices;

namespace Ama.Cryptography.Interop;

/// <summary>
/// libsodium's calls that see no secret: initialisation and feature probes. The native library comes from
/// the libsodium NuGet package that NSec.Cryptography depends on.
/// </summary>
internal static unsafe partial class Sodium
{
    private const string Library = "libsodium";

    /// <summary>int sodium_init(void): 0 on first success, 1 when already initialised, -1 on failure.</summary>
    [LibraryImport(Library, EntryPoint = "sodium_init")]
    internal static partial int sodium_init();

    /// <summary>int crypto_aead_aes256gcm_is_available(void): 1 when the CPU has AES-NI and PCLMUL (or ARM crypto).</summary>
    [LibraryImport(Library, EntryPoint = "crypto_aead_aes256gcm_is_available")]
    internal static partial int crypto_aead_aes256gcm_is_available();

    /// <summary>size_t crypto_aead_aes256gcm_statebytes(void).</summary>
    [LibraryImport(Library, EntryPoint = "crypto_aead_aes256gcm_statebytes")]
    internal static partial nuint crypto_aead_aes256gcm_statebytes();
}
