using System.Runtime.CompilerServices;
using System.Security.Cryptography;

namespace Ama.Cryptography.Primitives;

/// <summary>
/// Zeroes the stack just below the caller's frame, where the native hash calls it made have returned from.
/// </summary>
/// <remarks>
/// OpenSSL's block functions without SHA-NI (SHA-512 on most CPUs, SHA-256 on older ones) keep the message
/// schedule of the block on their own stack frame and do not wipe it. When that block is key XOR pad, or the
/// HKDF input key material, the dead frame holds key-equivalent words until something overwrites it, and thread
/// stacks are in every dump. A new frame at the same depth covers those addresses.
/// </remarks>
internal static class StackWipe
{
    /// <summary>Far more than the deepest SHA block function's frame (about 1 KiB) plus the call's own frames.</summary>
    private const int Depth = 8 * 1024;

    [MethodImpl(MethodImplOptions.NoInlining)]
    internal static void BelowCaller()
    {
        Span<byte> stack = stackalloc byte[Depth];
        CryptographicOperations.ZeroMemory(stack);
    }
}
