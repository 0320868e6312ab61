using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Ama.Cryptography.Memory;

/// <summary>
/// Vectorised comparison whose work depends only on the longer input's length.
/// </summary>
/// <remarks>
/// When the lengths differ, the longer input is compared with itself: the same number of
/// loads and XOR/OR steps as an equal-length compare, with no copy of either input, and the
/// length difference alone makes the answer false. Every selection between the inputs is
/// done with arithmetic masks, so no branch depends on the data or on which input is shorter.
/// The arithmetic is unchecked: an overflow check is a branch, and on the data it would leak.
/// </remarks>
internal static unsafe class ConstantTime
{
    internal static bool Equals(ReadOnlySpan<byte> left, ReadOnlySpan<byte> right)
    {
        fixed (byte* l = left)
        fixed (byte* r = right)
        unchecked
        {
            nint leftLength = left.Length;
            nint rightLength = right.Length;

            // All ones when left is the shorter input, else zero.
            nint leftShorter = (leftLength - rightLength) >> ((sizeof(nint) * 8) - 1);
            nint lengthDiff = leftLength ^ rightLength;

            // All ones when the lengths differ, else zero.
            nint differ = (lengthDiff | -lengthDiff) >> ((sizeof(nint) * 8) - 1);

            nint length = leftLength ^ (lengthDiff & leftShorter);
            byte* longer = (byte*)((nint)l ^ (((nint)l ^ (nint)r) & leftShorter));
            byte* other = (byte*)((nint)r ^ (((nint)r ^ (nint)longer) & differ));

            uint difference = NativeBackend.IsActive
                ? NativeBackend.ConstantTimeDiffers(longer, other, (nuint)length)
                : Accumulate(longer, other, (nuint)length);
            return (difference | (uint)(differ & 1)) == 0;
        }
    }

    /// <summary>Returns zero when the two ranges are equal, non-zero otherwise.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static uint Accumulate(byte* a, byte* b, nuint length)
    {
        // The width is chosen from the length alone, which is public.
        if (Vector512.IsHardwareAccelerated && length >= (nuint)Vector512<byte>.Count)
        {
            return Accumulate512(a, b, length);
        }

        if (Vector256.IsHardwareAccelerated && length >= (nuint)Vector256<byte>.Count)
        {
            return Accumulate256(a, b, length);
        }

        if (Vector128.IsHardwareAccelerated && length >= (nuint)Vector128<byte>.Count)
        {
            return Accumulate128(a, b, length);
        }

        return AccumulateScalar(a, b, length);
    }

    private static uint Accumulate512(byte* a, byte* b, nuint length)
    {
        unchecked
        {
            nuint width = (nuint)Vector512<byte>.Count;
            Vector512<byte> acc0 = Vector512<byte>.Zero;
            Vector512<byte> acc1 = Vector512<byte>.Zero;
            nuint i = 0;
            for (; i + (2 * width) <= length; i += 2 * width)
            {
                acc0 |= Vector512.Load(a + i) ^ Vector512.Load(b + i);
                acc1 |= Vector512.Load(a + i + width) ^ Vector512.Load(b + i + width);
            }

            for (; i + width <= length; i += width)
            {
                acc0 |= Vector512.Load(a + i) ^ Vector512.Load(b + i);
            }

            // The last block overlaps bytes already seen instead of looping byte by byte.
            nuint last = length - width;
            acc1 |= Vector512.Load(a + last) ^ Vector512.Load(b + last);
            Vector512<byte> acc = acc0 | acc1;
            return Fold(acc.GetLower() | acc.GetUpper());
        }
    }

    private static uint Accumulate256(byte* a, byte* b, nuint length)
    {
        unchecked
        {
            nuint width = (nuint)Vector256<byte>.Count;
            Vector256<byte> acc = Vector256<byte>.Zero;
            nuint i = 0;
            for (; i + width <= length; i += width)
            {
                acc |= Vector256.Load(a + i) ^ Vector256.Load(b + i);
            }

            nuint last = length - width;
            acc |= Vector256.Load(a + last) ^ Vector256.Load(b + last);
            return Fold(acc);
        }
    }

    private static uint Accumulate128(byte* a, byte* b, nuint length)
    {
        unchecked
        {
            nuint width = (nuint)Vector128<byte>.Count;
            Vector128<byte> acc = Vector128<byte>.Zero;
            nuint i = 0;
            for (; i + width <= length; i += width)
            {
                acc |= Vector128.Load(a + i) ^ Vector128.Load(b + i);
            }

            nuint last = length - width;
            acc |= Vector128.Load(a + last) ^ Vector128.Load(b + last);
            return Fold(acc);
        }
    }

    private static uint AccumulateScalar(byte* a, byte* b, nuint length)
    {
        unchecked
        {
            uint acc = 0;
            for (nuint i = 0; i < length; i++)
            {
                acc |= unchecked((uint)(a[i] ^ b[i]));
            }

            return acc;
        }
    }

    private static uint Fold(Vector256<byte> acc) => Fold(acc.GetLower() | acc.GetUpper());

    private static uint Fold(Vector128<byte> acc)
    {
        // Unchecked: the project checks overflow, and a checked narrowing would both throw
        // whenever a difference sits in the upper half and branch on the data to find out.
        ulong folded = acc.AsUInt64().GetElement(0) | acc.AsUInt64().GetElement(1);
        return unchecked((uint)folded | (uint)(folded >> 32));
    }
}
