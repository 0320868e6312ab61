namespace Ama.Cryptography.Memory;

/// <summary>
/// One mapping from a page source, cut into equal slots, with a no-access guard page on each side.
/// A slot is a 16-byte header followed by <see cref="DataSize"/> data bytes, so the data stays
/// 16-byte aligned; one more header closes the last slot. Headers hold the canary pattern, and a
/// buffer's slack (its slot's bytes past its length) is filled with it, so a linear overflow of any
/// length changes canary bytes before it reaches the next slot's data. The slots are packed against
/// the end of the mapping: past the closing header lies the trailing guard page.
/// </summary>
/// <remarks>The free list is managed memory: it holds only slot numbers, never secret bytes.</remarks>
internal sealed class Slab
{
    internal const int HeaderSize = Canary.Period;

    private readonly int[] freeSlots;
    private readonly nint firstSlot;
    private int freeCount;

    internal Slab(SlabShard shard, MappedRegion region, int dataSize)
    {
        Shard = shard;
        Region = region;
        DataSize = dataSize;
        SlotSize = HeaderSize + dataSize;
        Capacity = (int)((region.Length - HeaderSize) / (nuint)SlotSize);
        firstSlot = region.Address + (nint)region.Length - HeaderSize - (Capacity * (nint)SlotSize);
        for (int i = 0; i <= Capacity; i++)
        {
            Canary.Write(firstSlot + (i * (nint)SlotSize), HeaderSize);
        }

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

    internal nint DataAddress(int slot) => firstSlot + (slot * (nint)SlotSize) + HeaderSize;

    /// <summary>Fills the slack behind a new buffer of <paramref name="length"/> bytes at <paramref name="data"/>.</summary>
    internal void FillSlack(nint data, int length)
    {
        if (length < DataSize)
        {
            Canary.Write(data + length, DataSize - length);
        }
    }

    /// <summary>
    /// Whether the header in front of the buffer, its slack and the header behind it still hold the
    /// canary: false after an underflow into the header or an overflow of any length.
    /// </summary>
    internal bool IsIntact(nint data, int length) =>
        Canary.HoldsPeriod(data - HeaderSize)
        && (length == DataSize ? Canary.HoldsPeriod(data + DataSize) : Canary.Holds(data + length, DataSize - length + HeaderSize));
}
