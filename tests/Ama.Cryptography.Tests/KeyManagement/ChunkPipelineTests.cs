using System.Security.Cryptography;
using Ama.Cryptography.KeyManagement;
using static Ama.Cryptography.Tests.KeyManagement.KeyRingTestSupport;

namespace Ama.Cryptography.Tests.KeyManagement;

/// <summary>
/// Streams go through KeyRingAead in batches of several chunks, read, sealed and written at once: the chunks and the
/// format must not depend on where batches or reads end, and a failure must not leave a read or write running.
/// </summary>
public sealed class ChunkPipelineTests
{
    // Two plaintext chunks to an encryption batch, one sealed chunk to a decryption batch.
    private const int ChunkSize = ChunkPipeline.BatchBytes / 2;

    public static TheoryData<byte> AllAlgorithms => Algorithms();

    public static TheoryData<int> Lengths() =>
    [
        0, 1, ChunkSize - 1, ChunkSize, ChunkSize + 1, (2 * ChunkSize) - 1, 2 * ChunkSize, (2 * ChunkSize) + 1,
        (3 * ChunkSize) + 7, 4 * ChunkSize, (5 * ChunkSize) + 1,
    ];

    [Theory]
    [MemberData(nameof(Lengths))]
    public async Task Streams_round_trip_and_keep_the_chunk_layout_at_every_batch_boundary(int length)
    {
        using var storage = StorageWithKey();
        using var ring = Open(storage, KeyRingAlgorithm.XChaCha20Poly1305, chunkSize: ChunkSize);
        byte[] plaintext = RandomNumberGenerator.GetBytes(length);

        byte[] stream = await EncryptStreamAsync(ring, plaintext);

        int chunks = Math.Max(1, (length + ChunkSize - 1) / ChunkSize);
        int expected = KeyRingFormat.StreamHeaderSize(KeyRingAlgorithm.XChaCha20Poly1305) + length + (chunks * SecureXChaCha20Poly1305.TagSizeInBytes);
        Assert.Equal(expected, stream.Length);
        Assert.Equal(plaintext, await DecryptStreamAsync(ring, stream));
    }

    [Theory]
    [MemberData(nameof(AllAlgorithms))]
    public async Task Reads_of_any_size_give_the_same_chunks(byte algorithm)
    {
        using var storage = StorageWithKey();
        using var ring = Open(storage, (KeyRingAlgorithm)algorithm, chunkSize: 4096);
        byte[] plaintext = RandomNumberGenerator.GetBytes((3 * ChunkPipeline.BatchBytes) + 5);
        var token = TestContext.Current.CancellationToken;

        using var sealedStream = new MemoryStream();
        await ring.EncryptStreamAsync(new RaggedReadStream(plaintext), sealedStream, cancellationToken: token);
        using var restored = new MemoryStream();
        await ring.DecryptStreamAsync(new RaggedReadStream(sealedStream.ToArray()), restored, cancellationToken: token);

        Assert.Equal(plaintext, restored.ToArray());
        Assert.Equal(plaintext, await DecryptStreamAsync(ring, sealedStream.ToArray()));
    }

    [Fact]
    public async Task A_failing_write_surfaces_only_after_the_read_in_flight_has_finished()
    {
        using var storage = StorageWithKey();
        using var ring = Open(storage, KeyRingAlgorithm.XChaCha20Poly1305, chunkSize: 4096);
        var events = new EventLog();
        var input = new RecordingReadStream(RandomNumberGenerator.GetBytes(8 * ChunkPipeline.BatchBytes), events);
        var output = new FailingWriteStream(failOnWrite: 3);

        await Assert.ThrowsAsync<IOException>(() => ring.EncryptStreamAsync(input, output, cancellationToken: TestContext.Current.CancellationToken));
        long surfaced = events.Next();

        Assert.Equal(0, input.InFlight);
        Assert.All(input.Completions, completed => Assert.True(completed < surfaced));
        Assert.False(input.Overlapped, "two reads of the input ran at once");
    }

    [Fact]
    public async Task A_failing_read_surfaces_only_after_the_write_in_flight_has_finished()
    {
        using var storage = StorageWithKey();
        using var ring = Open(storage, KeyRingAlgorithm.XChaCha20Poly1305, chunkSize: 4096);
        var events = new EventLog();
        var input = new FailingReadStream(RandomNumberGenerator.GetBytes(8 * ChunkPipeline.BatchBytes), failOnRead: 4);
        var output = new RecordingWriteStream(events);

        await Assert.ThrowsAsync<IOException>(() => ring.EncryptStreamAsync(input, output, cancellationToken: TestContext.Current.CancellationToken));
        long surfaced = events.Next();

        Assert.Equal(0, output.InFlight);
        Assert.All(output.Completions, completed => Assert.True(completed < surfaced));
        Assert.False(output.Overlapped, "two writes of the output ran at once");
    }

    /// <summary>A counter that orders events across threads without a clock.</summary>
    private sealed class EventLog
    {
        private long last;

        internal long Next() => Interlocked.Increment(ref last);
    }

    /// <summary>Returns 1 to 5,000 bytes a read, whatever was asked.</summary>
    private sealed class RaggedReadStream(byte[] data) : MemoryStream(data, writable: false)
    {
        private readonly Random sizes = new(7);

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            base.ReadAsync(buffer[..Math.Min(buffer.Length, sizes.Next(1, 5000))], cancellationToken);
    }

    /// <summary>Tracks how many operations run at once and when each one finished.</summary>
    private abstract class RecordingStream(byte[] data, EventLog events) : MemoryStream(data, writable: false)
    {
        private int inFlight;

        internal int InFlight => Volatile.Read(ref inFlight);

        internal bool Overlapped { get; private set; }

        internal List<long> Completions { get; } = [];

        protected async ValueTask<T> Record<T>(Func<ValueTask<T>> operation)
        {
            Overlapped |= Interlocked.Increment(ref inFlight) > 1;
            try
            {
                // The operation finishes on another thread, as a file read or write does, so it can outlive its caller.
                await Task.Yield();
                return await operation();
            }
            finally
            {
                lock (Completions)
                {
                    Completions.Add(events.Next());
                }

                Interlocked.Decrement(ref inFlight);
            }
        }
    }

    private sealed class RecordingReadStream(byte[] data, EventLog events) : RecordingStream(data, events)
    {
        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            Record(() => base.ReadAsync(buffer, cancellationToken));
    }

    /// <summary>Accepts and drops whatever is written.</summary>
    private sealed class RecordingWriteStream(EventLog events) : RecordingStream([], events)
    {
        public override bool CanWrite => true;

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) =>
            new(Record(() => ValueTask.FromResult(buffer.Length)).AsTask());
    }

    private sealed class FailingWriteStream(int failOnWrite) : MemoryStream
    {
        private int writes;

        public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            await Task.Yield();
            if (++writes == failOnWrite)
            {
                throw new IOException("disk full");
            }

            await base.WriteAsync(buffer, cancellationToken);
        }
    }

    private sealed class FailingReadStream(byte[] data, int failOnRead) : MemoryStream(data, writable: false)
    {
        private int reads;

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            await Task.Yield();
            return ++reads == failOnRead ? throw new IOException("device gone") : await base.ReadAsync(buffer, cancellationToken);
        }
    }
}
