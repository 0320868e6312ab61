namespace Ama.Cli.Encryption;

/// <summary>
/// The staged output file as <c>encrypt</c> and <c>decrypt</c> write it: a failed write (a full disk, a file-size limit,
/// an I/O error) is reported as a failure to write the output, naming it and saying that nothing appeared there,
/// instead of a bare "No space left on device", or an exit 65 for EFBIG, which .NET reports as an argument error.
/// </summary>
internal sealed class OutputFileStream(FileStream file, string path) : Stream
{
    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        try
        {
            file.Write(buffer);
        }
        catch (Exception e) when (IsWriteFailure(e))
        {
            throw Failed(e);
        }
    }

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        try
        {
            await file.WriteAsync(buffer, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (IsWriteFailure(e))
        {
            throw Failed(e);
        }
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Flush() => FlushToDisk(toDisk: false);

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    /// <summary>Flushes, to the disk itself when <paramref name="toDisk"/> (fsync): a delayed ENOSPC or EIO can surface only here.</summary>
    internal void FlushToDisk(bool toDisk)
    {
        try
        {
            file.Flush(flushToDisk: toDisk);
        }
        catch (Exception e) when (IsWriteFailure(e))
        {
            throw Failed(e);
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            file.Dispose();
        }

        base.Dispose(disposing);
    }

    // EFBIG (a file-size limit) comes as ArgumentOutOfRangeException from .NET's write path.
    private static bool IsWriteFailure(Exception e) => e is IOException or ArgumentOutOfRangeException;

    private IOException Failed(Exception e) => EncryptionErrors.OutputFailed(path, e.Message, e);
}
