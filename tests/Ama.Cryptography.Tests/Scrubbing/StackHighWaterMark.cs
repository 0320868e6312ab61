using System.Runtime.CompilerServices;

namespace Ama.Cryptography.Tests.Scrubbing;

/// <summary>
/// Measures how deep below the caller a native call wrote: paint the stack with a canary, make the call
/// from the same frame, then find the deepest byte that no longer holds the canary.
/// </summary>
/// <remarks>
/// <see cref="Paint"/> and <see cref="Scan"/> have the same frame, so their stack buffers lie at the same
/// addresses, just below the caller, where the native call's frames went.
/// </remarks>
[SkipLocalsInit]
public static unsafe class StackHighWaterMark
{
    public const int Region = 64 * 1024;
    private const byte Canary = 0xA5;

    /// <summary>Returns the bytes below the caller's frame that <paramref name="call"/> (inlined into the caller) wrote.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static void Paint()
    {
        byte* area = stackalloc byte[Region];
        new Span<byte>(area, Region).Fill(Canary);
        GC.KeepAlive((nint)area);
    }

    /// <summary>The number of bytes from the deepest changed byte up to the top of the painted region.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static int Scan()
    {
        byte* area = stackalloc byte[Region];
        int untouched = new ReadOnlySpan<byte>(area, Region).IndexOfAnyExcept(Canary);
        return untouched < 0 ? 0 : Region - untouched;
    }

    /// <summary>Copies the painted region as it is now, for a search of what the call left behind.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static byte[] Snapshot()
    {
        byte* area = stackalloc byte[Region];
        return new ReadOnlySpan<byte>(area, Region).ToArray();
    }
}
