namespace Ama.Cryptography.Memory;

/// <summary>
/// One mapping from a page source, cut into equal slots. A slot is a 16-byte header whose
/// last 8 bytes hold the canary, followed by the data, so the data stays 16-byte aligned.
/// </summary>
/// <remarks>The free list is managed memory: it holds only slot numbers, never secret bytes.</remarks>
internal sealed class Slab
{
    internal const int HeaderSize = 16;

    private readonly int[] freeSlots;
    private int freeCount;

    internal Slab(SlabShard shard, MappedRegion region, int dataSize)
    {
        Shard = shard;
        Region = region;
        DataSize = dataSize;
        SlotSize = HeaderSize + dataSize;
        Capacity = (int)(region.Length / (nuint)SlotSize);
        freeSlots = new int[Capacity];
        for (int i = 0; i < Capacity; i++)
        {
            freeSlots[i] = Capacity - 1 - i;
        }

        freeCount = Capacity;
    }

    internal SlabShard Shard { get; }

    internal MappedRegion Region { get; }

    /// <summary>Gets the number of data bytes in each slot (the size class).</summary>
    internal int DataSize { get; }

    internal int SlotSize { get; }

    internal int Capacity { get; }

    internal bool IsFull => freeCount == 0;

    internal bool IsEmpty => freeCount == Capacity;

    /// <summary>Takes a free slot; the caller holds the shard's lock and has checked <see cref="IsFull"/>.</summary>
    internal int Take() => freeSlots[--freeCount];

    /// <summary>Returns a slot; the caller holds the shard's lock.</summary>
    internal void Return(int slot) => freeSlots[freeCount++] = slot;

    internal nint DataAddress(int slot) => Region.Address + (slot * (nint)SlotSize) + HeaderSize;
}
