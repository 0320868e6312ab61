using System.Security.Cryptography;

namespace Ama.Cryptography.Tests.Readers;

/// <summary>SecureBuffer.ReadFrom: a stream to its end into secure memory, at most maxLength bytes.</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class ReadFromTests : IDisposable
{
    private readonly ReaderFiles files = new();

    public void Dispose() => files.Dispose();

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(32)]
    [InlineData(4096)]
    [InlineData(100_000)]
    public void A_seekable_stream_is_read_exactly(int length)
    {
        byte[] content = RandomNumberGenerator.GetBytes(length);
        using SecureBuffer read = SecureBuffer.ReadFrom(new MemoryStream(content), 100_000);
        Assert.Equal(content, read.Span.ToArray());
    }

    [Theory]
    [InlineData(0)]
    [InlineData(4095)]
    [InlineData(4096)]
    [InlineData(4097)]
    [InlineData(100_000)]
    public void A_stream_of_unknown_length_grows_the_buffer_and_keeps_every_byte(int length)
    {
        byte[] content = RandomNumberGenerator.GetBytes(length);
        using SecureBuffer read = SecureBuffer.ReadFrom(new TrickleStream(content), 100_000);
        Assert.Equal(content, read.Span.ToArray());
    }

    [Fact]
    public void A_stream_is_read_from_its_position()
    {
        var stream = new MemoryStream([1, 2, 3, 4]) { Position = 1 };
        using SecureBuffer read = SecureBuffer.ReadFrom(stream, 3);
        Assert.Equal([2, 3, 4], read.Span.ToArray());
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void One_byte_over_maxLength_is_InvalidDataException(bool seekable)
    {
        byte[] content = new byte[5000];
        Stream stream = seekable ? new MemoryStream(content) : new TrickleStream(content);
        var error = Assert.Throws<InvalidDataException>(() => SecureBuffer.ReadFrom(stream, 4999));
        Assert.Contains("4999", error.Message, StringComparison.Ordinal);

        using SecureBuffer exact = SecureBuffer.ReadFrom(seekable ? new MemoryStream(content) : new TrickleStream(content), 5000);
        Assert.Equal(5000, exact.Length);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_maxLength_of_zero_accepts_only_an_empty_stream(bool seekable)
    {
        Assert.Throws<InvalidDataException>(() => SecureBuffer.ReadFrom(seekable ? new MemoryStream([7]) : new TrickleStream([7]), 0));
        using SecureBuffer empty = SecureBuffer.ReadFrom(seekable ? new MemoryStream() : new TrickleStream([]), 0);
        Assert.Equal(0, empty.Length);
    }

    [Fact]
    public void Dev_zero_through_an_unbuffered_FileStream_stops_at_maxLength()
    {
        using var zero = new FileStream("/dev/zero", FileMode.Open, FileAccess.Read, FileShare.ReadWrite, bufferSize: 0);
        Assert.Throws<InvalidDataException>(() => SecureBuffer.ReadFrom(zero, 1024 * 1024));
    }

    [Fact]
    public async Task A_FIFO_opened_by_the_caller_is_read_to_its_end()
    {
        // ReadFrom reads whatever stream it is given; a FIFO only blocks in the caller's open, so the writer comes first.
        string fifo = files.Fifo("fifo");
        var writer = Task.Run(() => File.WriteAllBytes(fifo, [1, 2, 3]), TestContext.Current.CancellationToken);
        using (var stream = new FileStream(fifo, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, bufferSize: 0))
        using (SecureBuffer read = SecureBuffer.ReadFrom(stream, 10))
        {
            Assert.Equal([1, 2, 3], read.Span.ToArray());
        }

        await writer.WaitAsync(TestContext.Current.CancellationToken);
    }

    [Fact]
    public void Bad_arguments_are_refused()
    {
        Assert.Throws<ArgumentNullException>(() => SecureBuffer.ReadFrom(null!, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => SecureBuffer.ReadFrom(new MemoryStream(), -1));
        Assert.Throws<ArgumentOutOfRangeException>(() => SecureBuffer.ReadFrom(new MemoryStream(), SecureBuffer.MaxLength + 1));
        using var writeOnly = new FileStream(files.Name("w"), FileMode.Create, FileAccess.Write);
        Assert.Throws<ArgumentException>(() => SecureBuffer.ReadFrom(writeOnly, 1));
    }

    /// <summary>A non-seekable stream that gives at most 1000 bytes a read, as a pipe or socket does.</summary>
    private sealed class TrickleStream(byte[] content) : Stream
    {
        private int position;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(Span<byte> buffer)
        {
            int count = Math.Min(Math.Min(buffer.Length, 1000), content.Length - position);
            content.AsSpan(position, count).CopyTo(buffer);
            position += count;
            return count;
        }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
