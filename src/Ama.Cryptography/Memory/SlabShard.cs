namespace Ama.Cryptography.Memory;

/// <summary>
/// The slabs of one size class that one group of processors allocates from. Threads on
/// different processors use different shards, so no single lock serialises the allocator.
/// </summary>
internal sealed class SlabShard(PageSource source, int dataSize)
{
    /// <summary>Each slab is one mapping this large: a few system calls buy hundreds of small slots.</summary>
    internal const int SlabBytes = 64 * 1024;

    private readonly Lock gate = new();
    private readonly List<Slab> withFreeSlots = [];

    internal (Slab Slab, int Slot) Take()
    {
        lock (gate)
        {
            if (withFreeSlots.Count == 0)
            {
                // Guarded: an overflow that runs past the last slot's closing header faults.
                withFreeSlots.Add(new Slab(this, source.Map(SlabBytes, guarded: true), dataSize));
            }

            Slab slab = withFreeSlots[^1];
            int slot = slab.Take();
            if (slab.IsFull)
            {
                withFreeSlots.RemoveAt(withFreeSlots.Count - 1);
            }

            return (slab, slot);
        }
    }

    /// <summary>Returns a slot that has already been zeroed and canary-checked.</summary>
    internal void Return(Slab slab, int slot)
    {
        MappedRegion? unmap = null;
        lock (gate)
        {
            if (slab.IsFull)
            {
                withFreeSlots.Add(slab);
            }

            slab.Return(slot);

            // Keep one empty slab for the next burst; give the pages of any other back to the OS.
            if (slab.IsEmpty && withFreeSlots.Count > 1)
            {
                withFreeSlots.Remove(slab);
                unmap = slab.Region;
            }
        }

        if (unmap is not null)
        {
            source.Unmap(unmap);
        }
    }
}
