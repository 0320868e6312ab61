namespace Ama.Cryptography.Interop;

/// <summary>
/// How many bytes of stack below the scrubbing stub each kind of call may have written: the high-water mark
/// measured on x86-64 (ScrubStackDepthTests paints the stack, makes the call, finds the deepest byte changed and
/// takes off what a call of an empty function writes), rounded up to a multiple of 64 with at least 512 bytes to spare for a deeper
/// build of the library. Measured with each library's fastest code for this CPU and again with OpenSSL's SHA-NI,
/// AVX-512 and AVX2 paths masked (OPENSSL_ia32cap), whichever was deeper.
/// </summary>
/// <remarks>
/// Calls run in preemptive mode, so no GC suspension signal lands in them; another signal would put its frame
/// (about 3.5 KiB with AVX-512 state) below the deepest point of the call. Long calls, where such a signal is
/// likeliest and the extra zeroing costs at most a few percent of the call, zero <see cref="SignalFrameAllowance"/> more:
/// calls of about 2 to 3 microseconds or longer.
/// </remarks>
internal static class ScrubDepth
{
    /// <summary>Measured: beforenm 24, encrypt 288 bytes. Kept tight: at 64 bytes the zeroing is a fifth of the call.</summary>
    internal const nuint Aes256Gcm = 832;

    /// <summary>Measured: decrypt 584 bytes.</summary>
    internal const nuint Aes256GcmDecrypt = 1152;

    /// <summary>Measured: 1,624 bytes (XChaCha20-Poly1305 of 65 bytes: a partial last block goes deeper than the 8-way SIMD path of a long message, 1,544).</summary>
    internal const nuint ChaCha20Poly1305 = 2304;

    /// <summary>
    /// Measured with libsodium's AES-NI code: AEGIS-256 encrypt 296 (336 with a partial last block), decrypt 392; AEGIS-128L encrypt 384 (496), decrypt 488 bytes.
    /// libsodium offers no switch to its portable AES code (for CPUs without AES-NI), so that path is not measured.
    /// </summary>
    internal const nuint Aegis = 1024;

    /// <summary>Measured: seed to key pair 1,336, sign 1,800 bytes.</summary>
    internal const nuint Ed25519 = 2560;

    /// <summary>Measured: base point 1,384, shared secret 2,360 bytes.</summary>
    internal const nuint X25519 = 3072;

    /// <summary>Measured: 96 bytes.</summary>
    internal const nuint RandomBytes = 1024;

    /// <summary>
    /// Measured: 32 bytes with SHA-NI, 1,648 without it (OpenSSL's AVX2 block function aligns its frame to
    /// 1 KiB, so the depth depends on where the stack pointer is; the test measures from 32 positions).
    /// </summary>
    internal const nuint Sha256 = 2560;

    /// <summary>
    /// Measured: up to 3,440 bytes (OpenSSL's AVX2 block function aligns its frame to 2 KiB, so the depth
    /// depends on where the stack pointer is; the test measures from 32 positions).
    /// </summary>
    internal const nuint Sha512 = 4608;

    /// <summary>
    /// After a call through the BCL or NSec (OpenSSL's HKDF, HMAC and AES-GCM, libsodium's Argon2id) on a key store key:
    /// their managed frames sit above the native code, so the native frames lie deeper than after a direct call.
    /// </summary>
    internal const nuint ForeignCall = 16384;

    /// <summary>A signal frame with the full AVX-512 register state, and the handler's own frames.</summary>
    internal const nuint SignalFrameAllowance = 8192;

    /// <summary>
    /// From this length ChaCha20-Poly1305, AES-GCM, SHA-2 and the signatures take 1 to 3 microseconds or more, and the
    /// allowance (about 80 ns of stores) is a few percent of the call.
    /// </summary>
    internal const ulong LongInput = 4096;

    /// <summary>
    /// AEGIS runs at about 10 GB/s with AES-NI: 16 KiB take 1.6 microseconds, to which the allowance would add 6%.
    /// From 32 KiB a call takes about 3 microseconds, as 4 KiB of ChaCha20-Poly1305 does.
    /// </summary>
    internal const ulong LongAegisInput = 32 * 1024;

    /// <summary>The depth to zero after a call of <paramref name="depth"/> over <paramref name="inputLength"/> bytes, for a function that is long from <paramref name="longInput"/> bytes.</summary>
    internal static nuint For(nuint depth, ulong inputLength, ulong longInput = LongInput) => inputLength >= longInput ? depth + SignalFrameAllowance : depth;
}
