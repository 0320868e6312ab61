using System.Runtime.Intrinsics;
using System.Security.Cryptography;

namespace Ama.Cryptography.Memory;

/// <summary>
/// A random per-process 16-byte pattern that fills the bytes around buffers: slab slot headers,
/// the slack behind a slab buffer, and the word in front of a guarded buffer. Each such byte holds
/// the pattern byte of its address modulo 16, so every stretch can be written and checked alone,
/// and a write into any of them changes a byte that Dispose checks.
/// </summary>
internal static unsafe class Canary
{
    /// <summary>The canary in front of a guarded buffer.</summary>
    internal const int Size = sizeof(ulong);

    internal const int Period = 16;

    /// <summary>The longest stretch checked at once: the slack of a 1 KiB slot plus the header behind it.</summary>
    private const int LongestRun = SecureBufferOptions.GuardedThreshold + Period;

    // Pinned, so the GC never leaves copies of the pattern around the heap.
    private static readonly byte[] Tiled = CreateTiled();

    /// <summary>The pattern as it lies at a 16-byte aligned address: slab headers, checked in one compare.</summary>
    private static readonly Vector128<byte> AlignedPeriod = Vector128.Create<byte>(Tiled.AsSpan(0, Period));

    /// <summary>Fills <paramref name="length"/> bytes from <paramref name="start"/> with the pattern.</summary>
    internal static void Write(nint start, int length) =>
        Expected(start, length).CopyTo(new Span<byte>((void*)start, length));

    /// <summary>Whether the <paramref name="length"/> bytes from <paramref name="start"/> still hold the pattern.</summary>
    internal static bool Holds(nint start, int length) =>
        new ReadOnlySpan<byte>((void*)start, length).SequenceEqual(Expected(start, length));

    /// <summary>Whether the 16 bytes from <paramref name="start"/> (a slab header) still hold the pattern.</summary>
    /// <remarks>Headers are 16-byte aligned except in the managed fallback, whose arrays are only 8-byte aligned.</remarks>
    internal static bool HoldsPeriod(nint start) => (start & (Period - 1)) == 0
        ? Vector128.Load((byte*)start) == AlignedPeriod
        : Holds(start, Period);

    private static ReadOnlySpan<byte> Expected(nint start, int length) =>
        Tiled.AsSpan((int)(start & (Period - 1)), length);

    private static byte[] CreateTiled()
    {
        // No pattern byte is 0x00: a stray zero (a terminator, a cleared field) is the commonest overflow.
        byte[] pattern = RandomNumberGenerator.GetBytes(Period);
        for (int i = 0; i < Period; i++)
        {
            while (pattern[i] == 0)
            {
                pattern[i] = RandomNumberGenerator.GetBytes(1)[0];
            }
        }

        byte[] tiled = GC.AllocateArray<byte>(LongestRun + Period, pinned: true);
        for (int i = 0; i < tiled.Length; i++)
        {
            tiled[i] = pattern[i % Period];
        }

        CryptographicOperations.ZeroMemory(pattern);
        return tiled;
    }
}
