using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Ama.Cryptography.Memory;

/// <summary>The seed's three-pass overwrite (0x00, 0xFF, 0x00) followed by a read-back check.</summary>
/// <remarks>
/// Speed (docs/benchmarks.md): each pass is Vector512 stores in its own non-inlined call, the
/// read-back is one OR over all bytes tested once, and the passes run block by block so the
/// later passes hit the cache. NoInlining alone is what keeps a pass opaque to its caller.
/// </remarks>
internal static unsafe class Zeroing
{
    internal static string Method => NativeBackend.IsActive
        ? "three-pass 0x00/0xFF/0x00 (native ama_secure_memzero) with read-back check"
        : "three-pass 0x00/0xFF/0x00 (managed, non-inlined fills) with read-back check";

    /// <summary>
    /// Passes and check run over blocks this large, so that the 0xFF and second 0x00 passes and
    /// the read-back find the block still in the core's L1 data cache.
    /// </summary>
    internal const int BlockBytes = 32 * 1024;

    internal static void Zero(Span<byte> buffer)
    {
        if (NativeBackend.IsActive)
        {
            NativeBackend.Memzero(buffer);
            VerifyZero(buffer);
            return;
        }

        // Every byte still gets all three passes before it is read back.
        unchecked
        {
            for (int start = 0; start < buffer.Length; start += BlockBytes)
            {
                Span<byte> block = buffer.Slice(start, Math.Min(BlockBytes, buffer.Length - start));
                OverwriteBlock(block);
                VerifyZero(block);
            }
        }
    }

    /// <summary>Throws when any byte of <paramref name="buffer"/> is not zero: the read-back half of <see cref="Zero"/>.</summary>
    internal static void VerifyZero(ReadOnlySpan<byte> buffer)
    {
        if (!ReadsZero(buffer))
        {
            throw Error.ZeroingNotVerified(buffer.Length);
        }
    }

    /// <summary>Overwrites without the read-back check; for paths that must not throw (release of a handle).</summary>
    internal static void Overwrite(Span<byte> buffer)
    {
        if (NativeBackend.IsActive)
        {
            NativeBackend.Memzero(buffer);
            return;
        }

        OverwriteManaged(buffer);
    }

    /// <summary>The managed three passes, whichever backend is active (the benchmarks compare it with the native one).</summary>
    internal static void OverwriteManaged(Span<byte> buffer)
    {
        for (int start = 0; start < buffer.Length; start += BlockBytes)
        {
            OverwriteBlock(buffer.Slice(start, Math.Min(BlockBytes, buffer.Length - start)));
        }
    }

    // Each pass is a call the JIT may not inline, so the caller cannot prove the 0x00 and 0xFF
    // passes dead; inside a pass the stores go to memory the caller owns and reads afterwards.
    private static void OverwriteBlock(Span<byte> block)
    {
        Fill(block, 0x00);
        Fill(block, 0xFF);
        Fill(block, 0x00);
    }

    // Vector512 stores measured faster than Span.Fill's memset for these block sizes
    // (1 KiB: 20 ns against 30 ns for three passes; 64 KiB: 1.3 µs against 1.8 µs).
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void Fill(Span<byte> buffer, byte value)
    {
        if (buffer.Length < Vector512<byte>.Count || !Vector512.IsHardwareAccelerated)
        {
            buffer.Fill(value);
            return;
        }

        unchecked
        {
            fixed (byte* pointer = buffer)
            {
                var pattern = Vector512.Create(value);
                nuint length = (nuint)buffer.Length;
                nuint width = (nuint)Vector512<byte>.Count;
                nuint i = 0;
                for (; i + (4 * width) <= length; i += 4 * width)
                {
                    pattern.Store(pointer + i);
                    pattern.Store(pointer + i + width);
                    pattern.Store(pointer + i + (2 * width));
                    pattern.Store(pointer + i + (3 * width));
                }

                for (; i + width <= length; i += width)
                {
                    pattern.Store(pointer + i);
                }

                // The last store overlaps the previous one instead of a byte loop.
                pattern.Store(pointer + length - width);
            }
        }
    }

    /// <summary>Reads every byte back; true when all are zero. No early exit: the OR of all bytes is tested once.</summary>
    internal static bool ReadsZero(ReadOnlySpan<byte> buffer)
    {
        fixed (byte* pointer = buffer)
        {
            return OrOfAllBytes(pointer, (nuint)buffer.Length) == 0;
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static uint OrOfAllBytes(byte* pointer, nuint length)
    {
        unchecked
        {
            if (Vector512.IsHardwareAccelerated && length >= (nuint)Vector512<byte>.Count)
            {
                // Two accumulators let two loads retire per cycle instead of one OR chain.
                nuint width = (nuint)Vector512<byte>.Count;
                Vector512<byte> acc0 = Vector512.Load(pointer + length - width);
                Vector512<byte> acc1 = Vector512<byte>.Zero;
                nuint i = 0;
                for (; i + (2 * width) <= length; i += 2 * width)
                {
                    acc0 |= Vector512.Load(pointer + i);
                    acc1 |= Vector512.Load(pointer + i + width);
                }

                if (i + width <= length)
                {
                    acc0 |= Vector512.Load(pointer + i);
                }

                return (acc0 | acc1) == Vector512<byte>.Zero ? 0u : 1u;
            }

            if (Vector256.IsHardwareAccelerated && length >= (nuint)Vector256<byte>.Count)
            {
                nuint width = (nuint)Vector256<byte>.Count;
                Vector256<byte> acc = Vector256.Load(pointer + length - width);
                for (nuint i = 0; i + width <= length; i += width)
                {
                    acc |= Vector256.Load(pointer + i);
                }

                return acc == Vector256<byte>.Zero ? 0u : 1u;
            }

            uint scalar = 0;
            for (nuint i = 0; i < length; i++)
            {
                scalar |= pointer[i];
            }

            return scalar;
        }
    }
}
