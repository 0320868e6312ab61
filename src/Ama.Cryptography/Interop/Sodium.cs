using System.Runtime.InteropServices;

namespace Ama.Cryptography.Interop;

/// <summary>
/// P/Invoke declarations for libsodium's AES-256-GCM with a precomputed state. The native library
/// comes from the libsodium NuGet package that NSec.Cryptography depends on.
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

    /// <summary>int crypto_aead_aes256gcm_beforenm(crypto_aead_aes256gcm_state *ctx_, const unsigned char *k); the state must be 16-byte aligned.</summary>
    [LibraryImport(Library, EntryPoint = "crypto_aead_aes256gcm_beforenm")]
    internal static partial int crypto_aead_aes256gcm_beforenm(byte* state, byte* key);

    /// <summary>
    /// int crypto_aead_aes256gcm_encrypt_detached_afternm(unsigned char *c, unsigned char *mac, unsigned long long *maclen_p,
    /// const unsigned char *m, unsigned long long mlen, const unsigned char *ad, unsigned long long adlen,
    /// const unsigned char *nsec, const unsigned char *npub, const crypto_aead_aes256gcm_state *ctx_).
    /// </summary>
    [LibraryImport(Library, EntryPoint = "crypto_aead_aes256gcm_encrypt_detached_afternm")]
    internal static partial int crypto_aead_aes256gcm_encrypt_detached_afternm(
        byte* c, byte* mac, ulong* maclen_p, byte* m, ulong mlen, byte* ad, ulong adlen, byte* nsec, byte* npub, byte* state);

    /// <summary>
    /// int crypto_aead_aes256gcm_decrypt_detached_afternm(unsigned char *m, unsigned char *nsec, const unsigned char *c,
    /// unsigned long long clen, const unsigned char *mac, const unsigned char *ad, unsigned long long adlen,
    /// const unsigned char *npub, const crypto_aead_aes256gcm_state *ctx_): 0, or -1 when the tag does not match.
    /// </summary>
    [LibraryImport(Library, EntryPoint = "crypto_aead_aes256gcm_decrypt_detached_afternm")]
    internal static partial int crypto_aead_aes256gcm_decrypt_detached_afternm(
        byte* m, byte* nsec, byte* c, ulong clen, byte* mac, byte* ad, ulong adlen, byte* npub, byte* state);
}
