using System.Globalization;
using Ama.Cryptography.Memory;
using Ama.Cryptography.Tests.Infrastructure;

namespace Ama.Cryptography.Tests.Memory;

/// <summary>
/// Slab buffers: every overflow or underflow of up to 16 bytes changes a canary byte that Dispose
/// checks, a broken canary stops the process, and the last slot of a slab ends at a guard page.
/// </summary>
public sealed unsafe class SlabOverflowTests
{
    private const int SigAbrtExit = 128 + 6;
    private const int MaxOverflow = 16;

    private static readonly int[] ClassSizeValues = [16, 32, 64, 128, 256, 512, 1024];

    public static TheoryData<int> ClassSizes => new(ClassSizeValues);

    /// <summary>
    /// Every size class: its fullest size (no slack, so the overflow hits the next header at once)
    /// with every overflow length, and its emptiest size (the most slack) with a few. The in-process
    /// test covers every size and length against the same check.
    /// </summary>
    public static TheoryData<int, int> OverflowCases
    {
        get
        {
            var cases = new TheoryData<int, int>();
            foreach (int classSize in ClassSizeValues)
            {
                for (int bytes = 1; bytes <= MaxOverflow; bytes++)
                {
                    cases.Add(classSize, bytes);
                }

                foreach (int bytes in (int[])[1, 8, MaxOverflow])
                {
                    cases.Add(classSize == 16 ? 1 : (classSize / 2) + 1, bytes);
                }
            }

            return cases;
        }
    }

    [Fact]
    public void Every_size_and_every_overflow_or_underflow_of_up_to_16_bytes_breaks_the_canary()
    {
        // Shards of its own: a flipped header is shared with the next slot, which no other test may own.
        Dictionary<int, SlabShard> shards = ClassSizeValues.ToDictionary(c => c, c => new SlabShard(AnonymousPageSource.Unlocked, c));
        for (int size = 1; size <= SecureBufferOptions.GuardedThreshold; size++)
        {
            (Slab slab, int slot) = shards[SlabPool.ClassSize(size)].Take();
            nint data = slab.DataAddress(slot);
            slab.FillSlack(data, size);
            try
            {
                Assert.True(slab.IsIntact(data, size), $"size {size}: a fresh slot reads as damaged");
                for (int bytes = 1; bytes <= MaxOverflow; bytes++)
                {
                    Flip((byte*)data + size, bytes);
                    Assert.False(slab.IsIntact(data, size), $"size {size}: an overflow of {bytes} bytes went unnoticed");
                    Flip((byte*)data + size, bytes);

                    Flip((byte*)data - bytes, bytes);
                    Assert.False(slab.IsIntact(data, size), $"size {size}: an underflow of {bytes} bytes went unnoticed");
                    Flip((byte*)data - bytes, bytes);

                    // A stray terminator: zeros, which the pattern never holds.
                    Span<byte> past = new((byte*)data + size, bytes);
                    byte[] saved = past.ToArray();
                    past.Clear();
                    Assert.False(slab.IsIntact(data, size), $"size {size}: {bytes} zero bytes past the end went unnoticed");
                    saved.CopyTo(past);
                }

                // The control: writing the whole buffer, up to its last byte, is no overflow.
                new Span<byte>((void*)data, size).Fill(0xFF);
                Assert.True(slab.IsIntact(data, size), $"size {size}: a full write reads as an overflow");
            }
            finally
            {
                new Span<byte>((void*)data, slab.DataSize).Clear();
                slab.Shard.Return(slab, slot);
            }
        }
    }

    [Theory]
    [MemberData(nameof(ClassSizes))]
    public void Slots_are_16_byte_aligned_and_the_last_ends_at_the_trailing_guard_page(int classSize)
    {
        (Slab slab, int slot) = new SlabShard(AnonymousPageSource.Unlocked, classSize).Take();
        try
        {
            Assert.True(slab.Region.Guarded);
            Assert.Equal(classSize, slab.DataSize);
            for (int i = 0; i < slab.Capacity; i++)
            {
                Assert.Equal(0, slab.DataAddress(i) % 16);
            }

            nint lastEnd = slab.DataAddress(slab.Capacity - 1) + classSize + Slab.HeaderSize;
            Assert.Equal(slab.Region.Address + (nint)slab.Region.Length, lastEnd);
            Assert.Equal("---p", PermissionsAt(lastEnd));
            Assert.Equal("---p", PermissionsAt(slab.Region.Address - 1));
        }
        finally
        {
            slab.Shard.Return(slab, slot);
        }
    }

    [Theory]
    [MemberData(nameof(OverflowCases))]
    public void An_overflow_of_a_slab_buffer_stops_the_process_at_dispose(int size, int bytes)
    {
        (int exit, string stdout, string stderr) = RunOverflow(size, bytes);
        Assert.Contains("DISPOSING", stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("SURVIVED", stdout, StringComparison.Ordinal);
        Assert.Contains("canary", stderr, StringComparison.Ordinal);
        Assert.Equal(SigAbrtExit, exit);
    }

    /// <summary>The negative control: the same scenario without an overflow ends cleanly.</summary>
    [Theory]
    [MemberData(nameof(ClassSizes))]
    public void Without_an_overflow_the_same_scenario_exits_cleanly(int classSize)
    {
        (int exit, string stdout, string stderr) = RunOverflow(classSize, 0);
        Assert.True(exit == 0, $"exit {exit}: {stdout} {stderr}");
        Assert.Contains("SURVIVED", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void A_write_past_the_last_slot_of_a_slab_faults_on_the_guard_page()
    {
        (int exit, string stdout, string stderr) = TestHost.Run(TestHost.StartInfo("slab-past-last-slot"));
        Assert.Contains("WRITING", stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("SURVIVED", stdout, StringComparison.Ordinal);
        Assert.Contains("AccessViolationException", stderr, StringComparison.Ordinal);
        Assert.Equal(SigAbrtExit, exit);
    }

    private static (int ExitCode, string Stdout, string Stderr) RunOverflow(int size, int bytes) =>
        TestHost.Run(TestHost.StartInfo("slab-overflow", [size.ToString(CultureInfo.InvariantCulture), bytes.ToString(CultureInfo.InvariantCulture)]));

    /// <summary>The permissions column of /proc/self/maps for the mapping that holds <paramref name="address"/>, or null.</summary>
    private static string? PermissionsAt(nint address)
    {
        foreach (string line in File.ReadLines("/proc/self/maps"))
        {
            string[] fields = line.Split(' ', 3);
            string[] range = fields[0].Split('-');
            ulong start = ulong.Parse(range[0], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            ulong end = ulong.Parse(range[1], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            if ((ulong)address >= start && (ulong)address < end)
            {
                return fields[1];
            }
        }

        return null;
    }

    private static void Flip(byte* start, int count)
    {
        for (int i = 0; i < count; i++)
        {
            start[i] ^= 0x5A;
        }
    }
}
