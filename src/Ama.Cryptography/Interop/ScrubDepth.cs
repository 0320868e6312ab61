namespace Ama.Cryptography.Interop;

/// <summary>
/// How many bytes of stack below the scrubbing stub each kind of call may have written: the high-water mark
/// measured on x86-64 (ScrubStackDepthTests paints the stack, makes the call and finds the deepest byte
/// changed), rounded up with at least 512 bytes to spare for a deeper build of the library.
/// </summary>
/// <remarks>
/// Calls run in preemptive mode, so no GC suspension signal lands in them; another signal would put its frame
/// (about 3.5 KiB with AVX-512 state) below the deepest point of the call. Long calls, where such a signal is
/// likeliest and the extra zeroing costs nothing measurable, zero <see cref="SignalFrameAllowance"/> more.
/// </remarks>
internal static class ScrubDepth
{
    /// <summary>Measured: beforenm 656, encrypt 920, decrypt 1,216 bytes.</summary>
    internal const nuint Aes256Gcm = 2048;

    /// <summary>Measured: 2,160 bytes (the 8-way SIMD path of a long message).</summary>
    internal const nuint ChaCha20Poly1305 = 3072;

    /// <summary>Measured: seed to key pair 1,968, sign 2,432 bytes.</summary>
    internal const nuint Ed25519 = 4096;

    /// <summary>Measured: base point 2,016, shared secret 2,992 bytes.</summary>
    internal const nuint X25519 = 4096;

    /// <summary>Measured: 728 bytes.</summary>
    internal const nuint RandomBytes = 2048;

    /// <summary>Measured: 664 bytes with SHA-NI.</summary>
    internal const nuint Sha256 = 2048;

    /// <summary>Measured: 2,648 bytes.</summary>
    internal const nuint Sha512 = 4096;

    /// <summary>
    /// After a call through the BCL or NSec (OpenSSL's HKDF, HMAC and AES-GCM, libsodium's Argon2id) on a key store key:
    /// their managed frames sit above the native code, so the native frames lie deeper than after a direct call.
    /// </summary>
    internal const nuint ForeignCall = 16384;

    /// <summary>A signal frame with the full AVX-512 register state, and the handler's own frames.</summary>
    internal const nuint SignalFrameAllowance = 8192;

    /// <summary>Inputs from this length take microseconds, so the allowance costs nothing measurable.</summary>
    private const ulong LongInput = 4096;

    /// <summary>The depth to zero after a call of <paramref name="depth"/> over <paramref name="inputLength"/> bytes.</summary>
    internal static nuint For(nuint depth, ulong inputLength) => inputLength >= LongInput ? depth + SignalFrameAllowance : depth;
}
