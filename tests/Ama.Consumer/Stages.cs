using System.Security.Cryptography;
using Ama.Cryptography;

namespace Ama.Consumer;

/// <summary>The consumer's workloads after the first loop: each is called often or loops long.</summary>
internal static class Stages
{
    internal static void CompareEveryLengthAndAlignment()
    {
        byte[] a = RandomNumberGenerator.GetBytes(400);
        byte[] b = (byte[])a.Clone();
        for (int length = 0; length <= 300; length++)
        {
            for (int offset = 0; offset < 64; offset++)
            {
                Check(SecureMemory.ConstantTimeEquals(a.AsSpan(offset, length), b.AsSpan(offset, length)), "equal slices");
                Check(!SecureMemory.ConstantTimeEquals(a.AsSpan(offset, length), b.AsSpan(offset, length + 1)), "unequal lengths");
            }
        }
    }

    internal static void ZeroSlices()
    {
        byte[] data = new byte[300];
        for (int i = 0; i < 60_000; i++)
        {
            Span<byte> slice = data.AsSpan(i % 37, i % 263);
            slice.Fill(0xA5);
            SecureMemory.Zero(slice);
            Check(!slice.ContainsAnyExcept((byte)0), "zeroed slice");
        }
    }

    internal static void UseSecureBuffer(int size)
    {
        using var buffer = new SecureBuffer(size);
        RandomNumberGenerator.Fill(buffer.Span);
        Check(SecureMemory.ConstantTimeEquals(buffer.Span, buffer.Span), "a buffer equals itself");
    }

    /// <summary>Calls <see cref="CompareOnce"/> and <see cref="ZeroOnce"/> until both were compiled at tier 1, and a while after.</summary>
    internal static bool CallUntilTier1(JitTierListener tiers, TimeSpan timeout)
    {
        byte[] a = RandomNumberGenerator.GetBytes(64);
        byte[] b = (byte[])a.Clone();
        byte[] scratch = new byte[48];
        var clock = System.Diagnostics.Stopwatch.StartNew();
        int afterTier1 = -1;
        while (clock.Elapsed < timeout && afterTier1 != 0)
        {
            for (int i = 0; i < 1000; i++)
            {
                Check(CompareOnce(a, b, i % 65), "equal prefixes");
                ZeroOnce(scratch, i % 49);
            }

            if (afterTier1 < 0 && tiers.Saw(nameof(Stages), nameof(CompareOnce), "Tier1") && tiers.Saw(nameof(Stages), nameof(ZeroOnce), "Tier1"))
            {
                afterTier1 = 100;
            }
            else if (afterTier1 > 0)
            {
                afterTier1--;
            }
            else
            {
                Thread.Sleep(1);
            }
        }

        return afterTier1 == 0;
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static bool CompareOnce(byte[] a, byte[] b, int length) =>
        SecureMemory.ConstantTimeEquals(a.AsSpan(0, length), b.AsSpan(0, length));

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static void ZeroOnce(byte[] data, int length)
    {
        data.AsSpan(0, length).Fill(0x5A);
        SecureMemory.Zero(data.AsSpan(0, length));
    }

    internal static void Check(bool condition, string what)
    {
        if (!condition)
        {
            throw new InvalidOperationException($"wrong result: {what}");
        }
    }
}
