namespace Ama.Cryptography.DataProtection;

/// <summary>A read-only stream over a <see cref="SecureBuffer"/>, so an XML reader parses decrypted bytes without a managed copy of the whole document.</summary>
internal sealed class SecureBufferReadStream(SecureBuffer source) : Stream
{
    private int position;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => source.Length;

    public override long Position
    {
        get => position;
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> destination)
    {
        ReadOnlySpan<byte> rest = source.Span[position..];
        int count = Math.Min(rest.Length, destination.Length);
        rest[..count].CopyTo(destination);
        position += count;
        return count;
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
