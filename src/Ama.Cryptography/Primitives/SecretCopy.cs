using Ama.Cryptography.Interop;

namespace Ama.Cryptography.Primitives;

/// <summary>
/// Copies key bytes inside one scrubbed native call. A managed copy would leave them in vector registers while
/// the thread is still in cooperative mode, where a GC suspension signal can save those registers into a frame
/// on the stack and into a context the runtime keeps; in the native call the thread is preemptive, and the stub
/// clears the registers before it returns.
/// </summary>
internal static unsafe class SecretCopy
{
    internal static void Copy(ReadOnlySpan<byte> source, Span<byte> destination)
    {
        if (!ScrubbedCall.IsActive)
        {
            source.CopyTo(destination);
            return;
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(destination.Length, source.Length, nameof(destination));
        fixed (byte* from = source)
        fixed (byte* to = destination)
        {
            ScrubbedCall.Invoke(SodiumExports.MemCopy, 0, (nint)to, (nint)from, source.Length);
        }
    }
}
