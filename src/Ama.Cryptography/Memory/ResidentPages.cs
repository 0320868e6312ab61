using Ama.Cryptography.Interop;

namespace Ama.Cryptography.Memory;

/// <summary>Overwrites only those bytes of a region that lie on pages the kernel has backed (mincore).</summary>
internal static unsafe class ResidentPages
{
    /// <summary>Returns false, having written nothing, when mincore refuses; the caller then wipes every byte.</summary>
    internal static bool TryOverwriteResident(MappedRegion region, Span<byte> bytes)
    {
        nuint pageSize = PageSource.PageSize;
        byte[] residency = new byte[(int)(region.Length / pageSize)];
        fixed (byte* vector = residency)
        {
            if (Libc.Mincore(region.Address, region.Length, vector) != 0)
            {
                return false;
            }
        }

        fixed (byte* start = bytes)
        {
            nint first = (nint)start;
            nint end = first + bytes.Length;
            int page = 0;
            while (page < residency.Length)
            {
                if ((residency[page] & 1) == 0)
                {
                    page++;
                    continue;
                }

                int runEnd = page;
                while (runEnd < residency.Length && (residency[runEnd] & 1) != 0)
                {
                    runEnd++;
                }

                nint from = Math.Max(first, region.Address + (nint)((nuint)page * pageSize));
                nint to = Math.Min(end, region.Address + (nint)((nuint)runEnd * pageSize));
                if (to > from)
                {
                    Zeroing.Overwrite(new Span<byte>((void*)from, (int)(to - from)));
                }

                page = runEnd;
            }
        }

        return true;
    }
}
