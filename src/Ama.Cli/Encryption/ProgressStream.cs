using System.Globalization;

namespace Ama.Cli.Encryption;

/// <summary>
/// The input, read through: counts the bytes and redraws one line on stderr ("encrypt: 512 MiB of
/// 1024 MiB (50%)"). Only when stderr is a terminal, and only for inputs of a few seconds' work: a
/// regular file of at least <see cref="Threshold"/> bytes from the start, any other input once that
/// much has been read. Redrawn every <see cref="Step"/> bytes, so the cost does not depend on the clock.
/// </summary>
internal sealed class ProgressStream(Stream inner, long? total, string verb, bool enabled) : Stream
{
    internal const long Threshold = 256L * 1024 * 1024;
    private const long Step = 16L * 1024 * 1024;
    private const double MiB = 1024 * 1024;
    private long read;
    private long nextDraw = total is >= Threshold ? 0 : Threshold;
    private bool drawn;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => read;
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) => Count(inner.Read(buffer, offset, count));

    public override int Read(Span<byte> buffer) => Count(inner.Read(buffer));

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        Count(await inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false));

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    /// <summary>Clears the line, so the next message starts on a clean one.</summary>
    internal void Clear()
    {
        if (drawn)
        {
            Console.Error.Write("\r" + new string(' ', Width - 1) + "\r");
            drawn = false;
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            Clear();
        }

        base.Dispose(disposing);
    }

    // A pseudo-terminal without a size (script, CI) reports 0 columns.
    private static int Width => Console.WindowWidth is > 20 and var columns ? columns : 80;

    private int Count(int bytes)
    {
        read += bytes;
        if (enabled && read >= nextDraw)
        {
            nextDraw = read + Step;
            string line = total is > 0 and var all
                ? string.Create(CultureInfo.InvariantCulture, $"{verb}: {read / MiB:0} MiB of {all / MiB:0} MiB ({100.0 * read / all:0}%)")
                : string.Create(CultureInfo.InvariantCulture, $"{verb}: {read / MiB:0} MiB");
            Console.Error.Write("\r" + line.PadRight(Width - 1));
            drawn = true;
        }

        return bytes;
    }
}
