using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Ama.Cryptography.Interop;

/// <summary>
/// libsodium's detached AEAD calls for the public primitives. The <c>*_short</c> twins skip the GC
/// transition; they are only called for inputs small enough to finish well under a microsecond.
/// [SuppressGCTransition] is safe on a [LibraryImport] here because libsodium ships with the NuGet
/// package and is always present when the JIT binds the call.
/// </summary>
internal static unsafe partial class Sodium
{
    /// <summary>crypto_aead_aes256gcm_encrypt_detached_afternm without the GC transition, for short inputs.</summary>
    [LibraryImport(Library, EntryPoint = "crypto_aead_aes256gcm_encrypt_detached_afternm")]
    [SuppressGCTransition]
    internal static partial int crypto_aead_aes256gcm_encrypt_detached_afternm_short(
        byte* c, byte* mac, ulong* maclen_p, byte* m, ulong mlen, byte* ad, ulong adlen, byte* nsec, byte* npub, byte* state);

    /// <summary>crypto_aead_aes256gcm_decrypt_detached_afternm without the GC transition, for short inputs.</summary>
    [LibraryImport(Library, EntryPoint = "crypto_aead_aes256gcm_decrypt_detached_afternm")]
    [SuppressGCTransition]
    internal static partial int crypto_aead_aes256gcm_decrypt_detached_afternm_short(
        byte* m, byte* nsec, byte* c, ulong clen, byte* mac, byte* ad, ulong adlen, byte* npub, byte* state);

    /// <summary>
    /// int crypto_aead_chacha20poly1305_ietf_encrypt_detached(unsigned char *c, unsigned char *mac, unsigned long long *maclen_p,
    /// const unsigned char *m, unsigned long long mlen, const unsigned char *ad, unsigned long long adlen,
    /// const unsigned char *nsec, const unsigned char *npub, const unsigned char *k).
    /// </summary>
    [LibraryImport(Library, EntryPoint = "crypto_aead_chacha20poly1305_ietf_encrypt_detached")]
    internal static partial int crypto_aead_chacha20poly1305_ietf_encrypt_detached(
        byte* c, byte* mac, ulong* maclen_p, byte* m, ulong mlen, byte* ad, ulong adlen, byte* nsec, byte* npub, byte* k);

    /// <summary>crypto_aead_chacha20poly1305_ietf_encrypt_detached without the GC transition, for short inputs.</summary>
    [LibraryImport(Library, EntryPoint = "crypto_aead_chacha20poly1305_ietf_encrypt_detached")]
    [SuppressGCTransition]
    internal static partial int crypto_aead_chacha20poly1305_ietf_encrypt_detached_short(
        byte* c, byte* mac, ulong* maclen_p, byte* m, ulong mlen, byte* ad, ulong adlen, byte* nsec, byte* npub, byte* k);

    /// <summary>
    /// int crypto_aead_chacha20poly1305_ietf_decrypt_detached(unsigned char *m, unsigned char *nsec, const unsigned char *c,
    /// unsigned long long clen, const unsigned char *mac, const unsigned char *ad, unsigned long long adlen,
    /// const unsigned char *npub, const unsigned char *k): 0, or -1 when the tag does not match.
    /// </summary>
    [LibraryImport(Library, EntryPoint = "crypto_aead_chacha20poly1305_ietf_decrypt_detached")]
    internal static partial int crypto_aead_chacha20poly1305_ietf_decrypt_detached(
        byte* m, byte* nsec, byte* c, ulong clen, byte* mac, byte* ad, ulong adlen, byte* npub, byte* k);

    /// <summary>crypto_aead_chacha20poly1305_ietf_decrypt_detached without the GC transition, for short inputs.</summary>
    [LibraryImport(Library, EntryPoint = "crypto_aead_chacha20poly1305_ietf_decrypt_detached")]
    [SuppressGCTransition]
    internal static partial int crypto_aead_chacha20poly1305_ietf_decrypt_detached_short(
        byte* m, byte* nsec, byte* c, ulong clen, byte* mac, byte* ad, ulong adlen, byte* npub, byte* k);

    /// <summary>int crypto_aead_xchacha20poly1305_ietf_encrypt_detached(...): as the IETF ChaCha20 call, with a 24-byte nonce.</summary>
    [LibraryImport(Library, EntryPoint = "crypto_aead_xchacha20poly1305_ietf_encrypt_detached")]
    internal static partial int crypto_aead_xchacha20poly1305_ietf_encrypt_detached(
        byte* c, byte* mac, ulong* maclen_p, byte* m, ulong mlen, byte* ad, ulong adlen, byte* nsec, byte* npub, byte* k);

    /// <summary>crypto_aead_xchacha20poly1305_ietf_encrypt_detached without the GC transition, for short inputs.</summary>
    [LibraryImport(Library, EntryPoint = "crypto_aead_xchacha20poly1305_ietf_encrypt_detached")]
    [SuppressGCTransition]
    internal static partial int crypto_aead_xchacha20poly1305_ietf_encrypt_detached_short(
        byte* c, byte* mac, ulong* maclen_p, byte* m, ulong mlen, byte* ad, ulong adlen, byte* nsec, byte* npub, byte* k);

    /// <summary>int crypto_aead_xchacha20poly1305_ietf_decrypt_detached(...): 0, or -1 when the tag does not match.</summary>
    [LibraryImport(Library, EntryPoint = "crypto_aead_xchacha20poly1305_ietf_decrypt_detached")]
    internal static partial int crypto_aead_xchacha20poly1305_ietf_decrypt_detached(
        byte* m, byte* nsec, byte* c, ulong clen, byte* mac, byte* ad, ulong adlen, byte* npub, byte* k);

    /// <summary>crypto_aead_xchacha20poly1305_ietf_decrypt_detached without the GC transition, for short inputs.</summary>
    [LibraryImport(Library, EntryPoint = "crypto_aead_xchacha20poly1305_ietf_decrypt_detached")]
    [SuppressGCTransition]
    internal static partial int crypto_aead_xchacha20poly1305_ietf_decrypt_detached_short(
        byte* m, byte* nsec, byte* c, ulong clen, byte* mac, byte* ad, ulong adlen, byte* npub, byte* k);
}
