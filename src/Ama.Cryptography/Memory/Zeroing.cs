using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Ama.Cryptography.Memory;

/// <summary>The three-pass overwrite of AMA Cryptography's Python module (0x00, 0xFF, 0x00) followed by a read-back check.</summary>
/// <remarks>
/// Speed (docs/benchmarks.md): each pass is a non-inlined call that writes whole cache lines
/// with aligned Vector512 stores and the partial lines at either end with narrower stores that
/// never cross a line; the read-back loads exactly what the last pass stored, so every load is
/// served from the store buffer. Passes run block by block so the later passes hit the cache.
/// NoInlining alone is what keeps a pass opaque to its caller.
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
        unchecked
        {
            if (NativeBackend.IsActive)
            {
                NativeBackend.Memzero(buffer);
                VerifyZero(buffer);
                return;
            }

            // Every byte still gets all three passes before it is read back.
            fixed (byte* start = buffer)
            {
                nuint length = (nuint)buffer.Length;
                for (nuint offset = 0; offset < length; offset += BlockBytes)
                {
                    nuint count = Math.Min(BlockBytes, length - offset);
                    OverwriteBlock(start + offset, count);
                    if (OrOfAllBytes(start + offset, count) != 0)
                    {
                        throw Error.ZeroingNotVerified(buffer.Length);
                    }
                }
            }
        }
    }

    /// <summary>Throws when any byte of <paramref name="buffer"/> is not zero: the read-back half of <see cref="Zero"/>.</summary>
    internal static void VerifyZero(ReadOnlySpan<byte> buffer)
    {
        fixed (byte* pointer = buffer)
        {
            if (OrOfAllBytes(pointer, (nuint)buffer.Length) != 0)
            {
                throw Error.ZeroingNotVerified(buffer.Length);
            }
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
        unchecked
        {
            fixed (byte* start = buffer)
            {
                nuint length = (nuint)buffer.Length;
                for (nuint offset = 0; offset < length; offset += BlockBytes)
                {
                    OverwriteBlock(start + offset, Math.Min(BlockBytes, length - offset));
                }
            }
        }
    }

    // Each pass is a call the JIT may not inline, so the caller cannot prove the 0x00 and 0xFF
    // passes dead; inside a pass the stores go to memory the caller owns and reads afterwards.
    private static void OverwriteBlock(byte* block, nuint length)
    {
        Fill(block, length, 0x00);
        Fill(block, length, 0xFF);
        Fill(block, length, 0x00);
    }

    // Aligned whole-line stores took a 1 KiB Zero from 27.6 ns to 24 ns (docs/benchmarks.md): an
    // unaligned 64-byte store writes two cache lines, and a load that straddles two stores
    // cannot be forwarded from the store buffer.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void Fill(byte* pointer, nuint length, byte value)
    {
        unchecked
        {
            if (!Vector512.IsHardwareAccelerated)
            {
                new Span<byte>(pointer, checked((int)length)).Fill(value);
                return;
            }

            CacheLines lines = new(pointer, length);
            FillPartialLine(lines.Head, lines.HeadLength, value);
            var pattern = Vector512.Create(value);
            byte* line = lines.Body;
            for (; line + (4 * CacheLines.Size) <= lines.BodyEnd; line += 4 * CacheLines.Size)
            {
                pattern.StoreAligned(line);
                pattern.StoreAligned(line + CacheLines.Size);
                pattern.StoreAligned(line + (2 * CacheLines.Size));
                pattern.StoreAligned(line + (3 * CacheLines.Size));
            }

            for (; line < lines.BodyEnd; line += CacheLines.Size)
            {
                pattern.StoreAligned(line);
            }

            FillPartialLine(lines.BodyEnd, lines.TailLength, value);
        }
    }

    // One store per set bit of the length, largest first: none crosses the line, none overlaps
    // another, and the read-back repeats the same shape.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void FillPartialLine(byte* pointer, nuint length, byte value)
    {
        unchecked
        {
            if ((length & 32) != 0)
            {
                Vector256.Create(value).Store(pointer);
                pointer += 32;
            }

            if ((length & 16) != 0)
            {
                Vector128.Create(value).Store(pointer);
                pointer += 16;
            }

            // Lengths that are a multiple of 16 (most keys, 8-aligned arrays) skip four tests.
            if ((length & 15) != 0)
            {
                FillBelowSixteen(pointer, length, value);
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void FillBelowSixteen(byte* pointer, nuint length, byte value)
    {
        unchecked
        {
            ulong pattern = value * 0x0101_0101_0101_0101UL;
            if ((length & 8) != 0)
            {
                *(ulong*)pointer = pattern;
                pointer += 8;
            }

            if ((length & 4) != 0)
            {
                *(uint*)pointer = (uint)pattern;
                pointer += 4;
            }

            if ((length & 2) != 0)
            {
                *(ushort*)pointer = (ushort)pattern;
                pointer += 2;
            }

            if ((length & 1) != 0)
            {
                *pointer = value;
            }
        }
    }

    /// <summary>Zero when every byte reads zero. No early exit: the OR of all bytes is tested once.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static ulong OrOfAllBytes(byte* pointer, nuint length)
    {
        unchecked
        {
            if (!Vector512.IsHardwareAccelerated)
            {
                return OrOfAllBytesWithoutAvx512(pointer, length);
            }

            CacheLines lines = new(pointer, length);
            ulong partial = OrOfPartialLine(lines.Head, lines.HeadLength) | OrOfPartialLine(lines.BodyEnd, lines.TailLength);

            // Two accumulators let two loads retire per cycle instead of one OR chain.
            Vector512<byte> even = Vector512<byte>.Zero;
            Vector512<byte> odd = Vector512<byte>.Zero;
            byte* line = lines.Body;
            for (; line + (2 * CacheLines.Size) <= lines.BodyEnd; line += 2 * CacheLines.Size)
            {
                even |= Vector512.LoadAligned(line);
                odd |= Vector512.LoadAligned(line + CacheLines.Size);
            }

            if (line < lines.BodyEnd)
            {
                even |= Vector512.LoadAligned(line);
            }

            return partial | ((even | odd) == Vector512<byte>.Zero ? 0UL : 1UL);
        }
    }

    private static ulong OrOfAllBytesWithoutAvx512(byte* pointer, nuint length)
    {
        unchecked
        {
            Vector128<byte> vectors = Vector128<byte>.Zero;
            nuint i = 0;
            for (; i + (nuint)Vector128<byte>.Count <= length; i += (nuint)Vector128<byte>.Count)
            {
                vectors |= Vector128.Load(pointer + i);
            }

            ulong scalar = vectors == Vector128<byte>.Zero ? 0UL : 1UL;
            for (; i < length; i++)
            {
                scalar |= pointer[i];
            }

            return scalar;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong OrOfPartialLine(byte* pointer, nuint length)
    {
        unchecked
        {
            Vector128<byte> vectors = Vector128<byte>.Zero;
            if ((length & 32) != 0)
            {
                Vector256<byte> wide = Vector256.Load(pointer);
                vectors |= wide.GetLower() | wide.GetUpper();
                pointer += 32;
            }

            if ((length & 16) != 0)
            {
                vectors |= Vector128.Load(pointer);
                pointer += 16;
            }

            ulong scalar = vectors == Vector128<byte>.Zero ? 0UL : 1UL;
            return (length & 15) == 0 ? scalar : scalar | OrBelowSixteen(pointer, length);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong OrBelowSixteen(byte* pointer, nuint length)
    {
        unchecked
        {
            ulong scalar = 0;
            if ((length & 8) != 0)
            {
                scalar |= *(ulong*)pointer;
                pointer += 8;
            }

            if ((length & 4) != 0)
            {
                scalar |= *(uint*)pointer;
                pointer += 4;
            }

            if ((length & 2) != 0)
            {
                scalar |= *(ushort*)pointer;
                pointer += 2;
            }

            if ((length & 1) != 0)
            {
                scalar |= *pointer;
            }

            return scalar;
        }
    }

    /// <summary>
    /// A buffer split at cache-line boundaries: a partial head line, whole aligned lines, and a
    /// partial tail line. A buffer inside one line is all head.
    /// </summary>
    private readonly struct CacheLines
    {
        internal const nuint Size = 64;

        internal CacheLines(byte* pointer, nuint length)
        {
            unchecked
            {
                byte* end = pointer + length;
                byte* firstBoundary = (byte*)(((nuint)pointer + Size - 1) & ~(Size - 1));
                byte* lastBoundary = (byte*)((nuint)end & ~(Size - 1));
                Head = pointer;
                if (firstBoundary > lastBoundary)
                {
                    HeadLength = length;
                    Body = BodyEnd = end;
                    TailLength = 0;
                    return;
                }

                HeadLength = (nuint)(firstBoundary - pointer);
                Body = firstBoundary;
                BodyEnd = lastBoundary;
                TailLength = (nuint)(end - lastBoundary);
            }
        }

        internal byte* Head { get; }

        /// <summary>Below <see cref="Size"/>.</summary>
        internal nuint HeadLength { get; }

        internal byte* Body { get; }

        /// <summary>Where the whole lines end and the tail starts.</summary>
        internal byte* BodyEnd { get; }

        /// <summary>Below <see cref="Size"/>.</summary>
        internal nuint TailLength { get; }
    }
}
