namespace Ama.Cryptography.Memory;

/// <summary>
/// Keeps a few released guarded mappings of one to four pages, already zeroed, still locked
/// and still between their guard pages, so that the next guarded buffer of that size costs no
/// system call. Without it, each guarded buffer pays five or more (memfd_secret, ftruncate,
/// two mmaps, munmap), about as much as libsodium's sodium_malloc.
/// </summary>
internal sealed class GuardedRegionCache
{
    private const int MaxPages = 4;
    private const int RegionsPerSize = 8;

    private readonly Lock gate = new();
    private readonly Stack<MappedRegion>[] bySize = Enumerable.Range(0, MaxPages).Select(_ => new Stack<MappedRegion>()).ToArray();

    internal bool TryTake(nuint length, out MappedRegion? region)
    {
        region = null;
        if (!TryIndex(length, out int index))
        {
            return false;
        }

        lock (gate)
        {
            return bySize[index].TryPop(out region);
        }
    }

    /// <summary>Keeps a zeroed, accessible region for reuse; false when the caller must unmap it.</summary>
    internal bool TryKeep(MappedRegion region)
    {
        if (!region.Guarded || !TryIndex(region.Length, out int index))
        {
            return false;
        }

        lock (gate)
        {
            if (bySize[index].Count >= RegionsPerSize)
            {
                return false;
            }

            bySize[index].Push(region);
            return true;
        }
    }

    private static bool TryIndex(nuint length, out int index)
    {
        index = (int)(length / PageSource.PageSize) - 1;
        return length % PageSource.PageSize == 0 && index >= 0 && index < MaxPages;
    }
}
