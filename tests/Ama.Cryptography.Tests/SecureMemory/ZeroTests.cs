using System.Reflection;
using System.Security.Cryptography;
using Ama.Cryptography.Memory;

namespace Ama.Cryptography.Tests.SecureMemoryFunctions;

public class ZeroTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(100 * 1024)]
    [InlineData(1024 * 1024)]
    public void Zero_array_leaves_every_byte_zero(int size)
    {
        byte[] buffer = NonZeroBytes(size);

        SecureMemory.Zero(buffer);

        Assert.False(buffer.AsSpan().ContainsAnyExcept((byte)0), $"a byte of {size} was left non-zero");
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(NativeBackend.ShortCallBytes)]
    [InlineData(NativeBackend.ShortCallBytes + 1)]
    [InlineData(100 * 1024)]
    [InlineData(1024 * 1024)]
    public void Zero_span_wipes_exactly_the_slice(int size)
    {
        // A guard byte of 0xA5 on each side proves the span overload neither misses its own bytes nor touches its neighbours.
        byte[] backing = NonZeroBytes(size + 2);
        backing[0] = 0xA5;
        backing[^1] = 0xA5;

        SecureMemory.Zero(backing.AsSpan(1, size));

        Assert.False(backing.AsSpan(1, size).ContainsAnyExcept((byte)0));
        Assert.Equal(0xA5, backing[0]);
        Assert.Equal(0xA5, backing[^1]);
    }

    [Fact]
    public void Zero_wipes_exactly_the_slice_at_every_offset_in_a_cache_line()
    {
        // Zeroing writes the partial lines at either end piece by piece (32, 16, 8, 4, 2, 1
        // bytes) and whole lines between; every start offset within a line, with lengths up to
        // four lines and across a block boundary, reaches each piece at each position.
        int[] lengths = [.. Enumerable.Range(0, 4 * 64 + 2), 1000, 1024, Zeroing.BlockBytes + 67];
        byte[] backing = GC.AllocateArray<byte>(Zeroing.BlockBytes + 256, pinned: true);

        for (int offset = 0; offset < 64; offset++)
        {
            foreach (int length in lengths)
            {
                backing.AsSpan().Fill(0xA5);

                SecureMemory.Zero(backing.AsSpan(offset, length));

                Assert.False(backing.AsSpan(offset, length).ContainsAnyExcept((byte)0), $"offset {offset}, length {length}: a byte was left");
                Assert.False(backing.AsSpan(0, offset).ContainsAnyExcept((byte)0xA5), $"offset {offset}, length {length}: a byte before was written");
                Assert.False(backing.AsSpan(offset + length).ContainsAnyExcept((byte)0xA5), $"offset {offset}, length {length}: a byte after was written");
            }
        }
    }

    [Fact]
    public void Read_back_check_sees_a_non_zero_byte_at_every_position_and_offset()
    {
        const int Length = 2 * 64 + 3;
        byte[] backing = GC.AllocateArray<byte>(Length + 64, pinned: true);

        for (int offset = 0; offset < 64; offset++)
        {
            for (int position = 0; position < Length; position++)
            {
                backing[offset + position] = 0x80;
                Assert.False(ReadBackAccepts(backing, offset, Length), $"offset {offset}: byte {position} was not seen");
                backing[offset + position] = 0;
            }

            Assert.True(ReadBackAccepts(backing, offset, Length));
        }
    }

    [Fact]
    public void Zero_of_null_array_throws_ArgumentNullException()
    {
        ArgumentNullException e = Assert.Throws<ArgumentNullException>(() => SecureMemory.Zero((byte[])null!));
        Assert.Equal("buffer", e.ParamName);
    }

    [Fact]
    public void Zero_of_empty_span_is_a_no_op()
    {
        SecureMemory.Zero(Span<byte>.Empty);
        SecureMemory.Zero([]);
    }

    [Fact]
    public void Every_public_Zero_overload_takes_mutable_bytes_only()
    {
        MethodInfo[] overloads = [.. typeof(SecureMemory).GetMethods(BindingFlags.Public | BindingFlags.Static).Where(m => m.Name == "Zero")];

        Assert.Equal(2, overloads.Length);
        Type[] parameters = [.. overloads.Select(m => Assert.Single(m.GetParameters()).ParameterType)];
        Assert.Equivalent(new[] { typeof(Span<byte>), typeof(byte[]) }, parameters, strict: true);
    }

    [Fact]
    public void Read_back_check_rejects_a_single_non_zero_byte_anywhere()
    {
        byte[] buffer = new byte[4097];
        Zeroing.VerifyZero(buffer);

        foreach (int position in new[] { 0, 1, 31, 32, 2048, 4095, 4096 })
        {
            buffer[position] = 0x01;
            SecureMemoryException e = Assert.Throws<SecureMemoryException>(() => Zeroing.VerifyZero(buffer));
            Assert.Contains("4097 bytes", e.Message, StringComparison.Ordinal);
            buffer[position] = 0;
        }
    }

    [Fact]
    public void Zero_throws_when_a_racing_writer_keeps_the_memory_non_zero()
    {
        // A writer thread stores 0x5A into the last byte in a tight loop. Zero's final pass
        // writes 0x00, the writer puts 0x5A back within nanoseconds, and the read-back check,
        // which reaches the last byte last, sees it. On a busy machine the writer may miss some
        // attempts, so the test retries for a while; one failure to verify is the claim.
        using RacingWriter writer = new(new byte[64 * 1024]);
        SecureMemoryException? caught = null;

        for (DateTime deadline = DateTime.UtcNow.AddSeconds(20); caught is null && DateTime.UtcNow < deadline;)
        {
            caught = Record.Exception(() => SecureMemory.Zero(writer.Target)) switch
            {
                null => null,
                SecureMemoryException e => e,
                Exception other => throw new Xunit.Sdk.XunitException($"unexpected {other}"),
            };
        }

        Assert.NotNull(caught);
        Assert.Contains("did not read back as zero", caught.Message, StringComparison.Ordinal);
        Assert.Equal(0, caught.NativeErrorCode);
    }

    [Fact]
    public void Control_the_same_race_without_the_read_back_check_returns_silently_with_non_zero_memory()
    {
        // The overwrite passes alone, under the same race, return normally and leave a non-zero
        // byte: the exception in the test above comes from the read-back check, not from the race.
        using RacingWriter writer = new(new byte[64 * 1024]);
        bool sawNonZero = false;

        for (DateTime deadline = DateTime.UtcNow.AddSeconds(20); !sawNonZero && DateTime.UtcNow < deadline;)
        {
            Zeroing.Overwrite(writer.Target);
            sawNonZero = writer.Target.AsSpan().ContainsAnyExcept((byte)0);
        }

        Assert.True(sawNonZero);
    }

    private static bool ReadBackAccepts(byte[] backing, int offset, int length)
    {
        try
        {
            Zeroing.VerifyZero(backing.AsSpan(offset, length));
            return true;
        }
        catch (SecureMemoryException)
        {
            return false;
        }
    }

    private static byte[] NonZeroBytes(int size)
    {
        byte[] buffer = RandomNumberGenerator.GetBytes(size);
        for (int i = 0; i < buffer.Length; i++)
        {
            buffer[i] |= 0x01;
        }

        return buffer;
    }

    /// <summary>Keeps writing a non-zero byte into the end of <see cref="Target"/> from another thread.</summary>
    private sealed class RacingWriter : IDisposable
    {
        private readonly Thread thread;
        private volatile bool stop;
        private volatile bool running;

        public RacingWriter(byte[] target)
        {
            Target = target;
            thread = new Thread(Write) { IsBackground = true };
            thread.Start();
            SpinWait.SpinUntil(() => running);
        }

        public byte[] Target { get; }

        public void Dispose()
        {
            stop = true;
            thread.Join();
        }

        private void Write()
        {
            running = true;
            while (!stop)
            {
                Volatile.Write(ref Target[^1], 0x5A);
            }
        }
    }
}
