using System.Runtime.InteropServices;

namespace Ama.Cryptography.Interop;

/// <summary>
/// P/Invoke declarations for libsodium's Ed25519 signatures and X25519 key agreement, and the
/// randombytes source.
/// </summary>
/// <remarks>
/// These calls take tens of microseconds, so they keep the GC transition: a call that skipped it
/// would hold up a GC that wants to suspend this thread.
/// </remarks>
internal static unsafe partial class Sodium
{
    /// <summary>int crypto_sign_seed_keypair(unsigned char *pk, unsigned char *sk, const unsigned char *seed): sk is seed || pk.</summary>
    [LibraryImport(Library, EntryPoint = "crypto_sign_seed_keypair")]
    internal static partial int crypto_sign_seed_keypair(byte* pk, byte* sk, byte* seed);

    /// <summary>
    /// int crypto_sign_detached(unsigned char *sig, unsigned long long *siglen_p, const unsigned char *m,
    /// unsigned long long mlen, const unsigned char *sk).
    /// </summary>
    [LibraryImport(Library, EntryPoint = "crypto_sign_detached")]
    internal static partial int crypto_sign_detached(byte* sig, ulong* siglen_p, byte* m, ulong mlen, byte* sk);

    /// <summary>
    /// int crypto_sign_verify_detached(const unsigned char *sig, const unsigned char *m, unsigned long long mlen,
    /// const unsigned char *pk): 0 for a valid signature, -1 otherwise.
    /// </summary>
    [LibraryImport(Library, EntryPoint = "crypto_sign_verify_detached")]
    internal static partial int crypto_sign_verify_detached(byte* sig, byte* m, ulong mlen, byte* pk);

    /// <summary>int crypto_scalarmult_base(unsigned char *q, const unsigned char *n): the X25519 public key of n.</summary>
    [LibraryImport(Library, EntryPoint = "crypto_scalarmult_base")]
    internal static partial int crypto_scalarmult_base(byte* q, byte* n);

    /// <summary>
    /// int crypto_scalarmult(unsigned char *q, const unsigned char *n, const unsigned char *p): -1 when p has
    /// small order or the result is all zeroes.
    /// </summary>
    [LibraryImport(Library, EntryPoint = "crypto_scalarmult")]
    internal static partial int crypto_scalarmult(byte* q, byte* n, byte* p);

    /// <summary>void randombytes_buf(void *buf, size_t size).</summary>
    [LibraryImport(Library, EntryPoint = "randombytes_buf")]
    internal static partial void randombytes_buf(byte* buf, nuint size);
}
