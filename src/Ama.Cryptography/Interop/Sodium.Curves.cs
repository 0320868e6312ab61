using System.Runtime.InteropServices;

namespace Ama.Cryptography.Interop;

/// <summary>
/// libsodium's Ed25519 and X25519 calls. Those that see a seed, a scalar or a shared secret go through
/// <see cref="ScrubbedCall"/>; verification sees public values only and is an ordinary import.
/// </summary>
internal static unsafe partial class Sodium
{
    /// <summary>int crypto_sign_seed_keypair(unsigned char *pk, unsigned char *sk, const unsigned char *seed).</summary>
    internal static int crypto_sign_seed_keypair(byte* pk, byte* sk, byte* seed) =>
        ScrubbedCall.InvokeForInt(SodiumExports.SignSeedKeyPair, ScrubDepth.Ed25519, (nint)pk, (nint)sk, (nint)seed);

    /// <summary>int crypto_sign_detached(unsigned char *sig, unsigned long long *siglen_p, const unsigned char *m, unsigned long long mlen, const unsigned char *sk).</summary>
    internal static int crypto_sign_detached(byte* sig, ulong* siglen_p, byte* m, ulong mlen, byte* sk) =>
        ScrubbedCall.InvokeForInt(SodiumExports.SignDetached, ScrubDepth.For(ScrubDepth.Ed25519, mlen), (nint)sig, (nint)siglen_p, (nint)m, (nint)mlen, (nint)sk);

    /// <summary>int crypto_sign_verify_detached(const unsigned char *sig, const unsigned char *m, unsigned long long mlen, const unsigned char *pk).</summary>
    [LibraryImport(Library, EntryPoint = "crypto_sign_verify_detached")]
    internal static partial int crypto_sign_verify_detached(byte* sig, byte* m, ulong mlen, byte* pk);

    /// <summary>int crypto_scalarmult_base(unsigned char *q, const unsigned char *n).</summary>
    internal static int crypto_scalarmult_base(byte* q, byte* n) =>
        ScrubbedCall.InvokeForInt(SodiumExports.ScalarMultBase, ScrubDepth.X25519, (nint)q, (nint)n);

    /// <summary>int crypto_scalarmult(unsigned char *q, const unsigned char *n, const unsigned char *p): -1 for a low-order point.</summary>
    internal static int crypto_scalarmult(byte* q, byte* n, byte* p) =>
        ScrubbedCall.InvokeForInt(SodiumExports.ScalarMult, ScrubDepth.X25519, (nint)q, (nint)n, (nint)p);

    /// <summary>void randombytes_buf(void *buf, size_t size): fills a new key, so its keystream is scrubbed too.</summary>
    internal static void randombytes_buf(byte* buf, nuint size) =>
        ScrubbedCall.Invoke(SodiumExports.RandomBytes, ScrubDepth.RandomBytes, (nint)buf, (nint)size);
}
