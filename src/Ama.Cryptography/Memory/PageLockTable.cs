using System.Runtime.InteropServices;

namespace Ama.Cryptography.Memory;

/// <summary>
/// Process-wide, page-granular reference counts for <see cref="SecureMemory.Lock(byte[])"/>.
/// </summary>
/// <remarks>
/// Linux and macOS locks do not stack: one munlock releases a page however often it was
/// locked. Two small arrays often share a page, so a page is unlocked only when the last
/// locked array on it is unlocked. Each locked array stays pinned, so the GC cannot move it
/// and leave an unlocked copy behind.
/// </remarks>
internal static class PageLockTable
{
    private static readonly Lock Gate = new();
    private static readonly Dictionary<nint, int> PageCounts = [];
    private static readonly Dictionary<byte[], LockedArray> Arrays = new(ReferenceEqualityComparer.Instance);

    internal static int LockedPageCount
    {
        get
        {
            lock (Gate)
            {
                return PageCounts.Count;
            }
        }
    }

    internal static int LockCount(byte[] array)
    {
        lock (Gate)
        {
            return Arrays.TryGetValue(array, out LockedArray? entry) ? entry.Count : 0;
        }
    }

    internal static void Lock(byte[] array)
    {
        lock (Gate)
        {
            if (Arrays.TryGetValue(array, out LockedArray? existing))
            {
                existing.Count++;
                return;
            }

            GCHandle pin = GCHandle.Alloc(array, GCHandleType.Pinned);
            try
            {
                (nint first, int pages) = PagesOf(pin.AddrOfPinnedObject(), array.Length);
                PageLocker.Lock(first, (nuint)pages * PageSize);
                for (int i = 0; i < pages; i++)
                {
                    nint page = first + (i * (nint)PageSize);
                    PageCounts[page] = PageCounts.GetValueOrDefault(page) + 1;
                }

                Arrays.Add(array, new LockedArray(pin, first, pages));
            }
            catch
            {
                pin.Free();
                throw;
            }
        }
    }

    internal static void Unlock(byte[] array)
    {
        lock (Gate)
        {
            if (!Arrays.TryGetValue(array, out LockedArray? entry))
            {
                throw Error.ArrayNotLocked();
            }

            if (--entry.Count > 0)
            {
                return;
            }

            // The table is brought up to date before any OS call, so a failed munlock cannot
            // leave a half-released entry behind that a later Unlock would trip over.
            List<(nint Start, int Pages)> runs = ReleasePages(entry.FirstPage, entry.PageCount);
            Arrays.Remove(array);
            entry.Pin.Free();
            UnlockRuns(runs);
        }
    }

    private static nuint PageSize => (nuint)Environment.SystemPageSize;

    private static (nint First, int Pages) PagesOf(nint address, int length)
    {
        nint mask = ~((nint)PageSize - 1);
        nint first = address & mask;
        nint end = (address + length + (nint)PageSize - 1) & mask;
        return (first, (int)((end - first) / (nint)PageSize));
    }

    /// <summary>Drops one reference from each page and returns the runs of pages that no array uses any more.</summary>
    private static List<(nint Start, int Pages)> ReleasePages(nint first, int pages)
    {
        var runs = new List<(nint Start, int Pages)>();
        nint runStart = 0;
        int runLength = 0;
        for (int i = 0; i < pages; i++)
        {
            nint page = first + (i * (nint)PageSize);
            int remaining = PageCounts[page] - 1;
            if (remaining > 0)
            {
                PageCounts[page] = remaining;
                AddRun(runs, runStart, runLength);
                runLength = 0;
                continue;
            }

            PageCounts.Remove(page);
            if (runLength == 0)
            {
                runStart = page;
            }

            runLength++;
        }

        AddRun(runs, runStart, runLength);
        return runs;
    }

    private static void AddRun(List<(nint Start, int Pages)> runs, nint start, int pages)
    {
        if (pages > 0)
        {
            runs.Add((start, pages));
        }
    }

    /// <summary>Unlocks every run, then reports the first failure: one refused run must not keep the others locked.</summary>
    private static void UnlockRuns(List<(nint Start, int Pages)> runs)
    {
        SecureMemoryException? first = null;
        foreach ((nint start, int pages) in runs)
        {
            try
            {
                PageLocker.Unlock(start, (nuint)pages * PageSize);
            }
            catch (SecureMemoryException e)
            {
                first ??= e;
            }
        }

        if (first is not null)
        {
            throw first;
        }
    }

    private sealed class LockedArray(GCHandle pin, nint firstPage, int pageCount)
    {
        public GCHandle Pin { get; } = pin;

        public nint FirstPage { get; } = firstPage;

        public int PageCount { get; } = pageCount;

        public int Count { get; set; } = 1;
    }
}
