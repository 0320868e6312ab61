using System.Numerics;

namespace Ama.Cryptography.Memory;

/// <summary>Size classes of slabs over one page source, each split into per-processor shards.</summary>
internal sealed class SlabPool
{
    internal const int SmallestClass = 16;

    private readonly SlabShard[][] shards;
    private readonly int shardMask;

    internal SlabPool(PageSource source)
    {
        int classCount = ClassIndex(SecureBufferOptions.GuardedThreshold) + 1;
        int shardCount = (int)BitOperations.RoundUpToPowerOf2((uint)Environment.ProcessorCount);
        shardMask = shardCount - 1;
        shards = new SlabShard[classCount][];
        for (int c = 0; c < classCount; c++)
        {
            shards[c] = new SlabShard[shardCount];
            for (int s = 0; s < shardCount; s++)
            {
                shards[c][s] = new SlabShard(source, SmallestClass << c);
            }
        }
    }

    internal (Slab Slab, int Slot) Take(int size) =>
        shards[ClassIndex(size)][Thread.GetCurrentProcessorId() & shardMask].Take();

    /// <summary>Gets the size class of a slab slot that holds <paramref name="size"/> bytes.</summary>
    internal static int ClassSize(int size) => SmallestClass << ClassIndex(size);

    private static int ClassIndex(int size) =>
        size <= SmallestClass ? 0 : BitOperations.Log2((uint)(size - 1)) + 1 - BitOperations.Log2(SmallestClass);
}
