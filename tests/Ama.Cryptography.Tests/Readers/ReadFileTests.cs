using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using Ama.Cryptography.Tests.Infrastructure;

namespace Ama.Cryptography.Tests.Readers;

/// <summary>SecureBuffer.ReadFile: regular files only, owner-only unless allowed, one newline trimmed, bounded.</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class ReadFileTests : IDisposable
{
    private readonly ReaderFiles files = new();

    public void Dispose() => files.Dispose();

    [Fact]
    public void An_owner_only_file_is_read_exactly()
    {
        byte[] key = RandomNumberGenerator.GetBytes(32);
        using SecureBuffer read = SecureBuffer.ReadFile(files.File("key", key), new SecureFileOptions { TrimTrailingNewline = false });
        Assert.Equal(key, read.Span.ToArray());
    }

    [Theory]
    [InlineData("secret\n", "secret")]
    [InlineData("secret\r\n", "secret")]
    [InlineData("secret\n\n", "secret\n")]
    [InlineData("secret", "secret")]
    [InlineData("\n", "")]
    public void One_trailing_newline_is_trimmed_by_default(string content, string expected)
    {
        using SecureBuffer read = SecureBuffer.ReadFile(files.File("key", Encoding.ASCII.GetBytes(content)));
        Assert.Equal(expected, Encoding.ASCII.GetString(read.Span));
    }

    [Fact]
    public void Control_a_binary_key_ending_in_0x0A_keeps_it_when_trimming_is_off()
    {
        byte[] key = [1, 2, 3, 0x0A];
        using SecureBuffer kept = SecureBuffer.ReadFile(files.File("key", key), new SecureFileOptions { TrimTrailingNewline = false });
        using SecureBuffer trimmed = SecureBuffer.ReadFile(files.Name("key"));
        Assert.Equal(key, kept.Span.ToArray());
        Assert.Equal(3, trimmed.Length);
    }

    [Fact]
    public void An_empty_file_gives_an_empty_buffer()
    {
        using SecureBuffer read = SecureBuffer.ReadFile(files.File("empty", []));
        Assert.Equal(0, read.Length);
    }

    [Fact]
    public void A_0644_file_is_refused_with_the_path_and_the_mode_and_none_of_its_bytes()
    {
        string path = files.File("key", "hunter2-secret"u8, ReaderFiles.Mode0644);

        var error = Assert.Throws<UnauthorizedAccessException>(() => SecureBuffer.ReadFile(path));

        Assert.Contains(path, error.Message, StringComparison.Ordinal);
        Assert.Contains("0644", error.Message, StringComparison.Ordinal);
        Assert.Contains(nameof(SecureFileOptions.AllowGroupReadable), error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_0644_file_is_read_when_both_group_and_world_are_allowed()
    {
        string path = files.File("key", "k"u8, ReaderFiles.Mode0644);
        Assert.Throws<UnauthorizedAccessException>(() => SecureBuffer.ReadFile(path, new SecureFileOptions { AllowGroupReadable = true }));
        Assert.Throws<UnauthorizedAccessException>(() => SecureBuffer.ReadFile(path, new SecureFileOptions { AllowWorldReadable = true }));

        using SecureBuffer read = SecureBuffer.ReadFile(path, new SecureFileOptions { AllowGroupReadable = true, AllowWorldReadable = true });
        Assert.Equal("k"u8.ToArray(), read.Span.ToArray());
    }

    [Theory]
    [InlineData(UnixFileMode.GroupRead, "0640")]
    [InlineData(UnixFileMode.GroupWrite, "0620")]
    [InlineData(UnixFileMode.OtherWrite, "0602")]
    [InlineData(UnixFileMode.OtherExecute, "0601")]
    public void Any_access_of_group_or_others_is_refused(UnixFileMode extra, string octal)
    {
        string path = files.File("key", "k"u8, ReaderFiles.OwnerOnly | extra);
        var error = Assert.Throws<UnauthorizedAccessException>(() => SecureBuffer.ReadFile(path));
        Assert.Contains(octal, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Control_0400_and_0600_files_are_accepted()
    {
        using SecureBuffer a = SecureBuffer.ReadFile(files.File("a", "k"u8, UnixFileMode.UserRead));
        using SecureBuffer b = SecureBuffer.ReadFile(files.File("b", "k"u8, ReaderFiles.OwnerOnly));
        Assert.Equal(1, a.Length);
        Assert.Equal(1, b.Length);
    }

    [Fact]
    public void A_symlink_is_judged_by_its_target()
    {
        string open = files.File("open", "k"u8, ReaderFiles.Mode0644);
        string closed = files.File("closed", "k"u8);
        string toOpen = files.Link("to-open", open);
        string toClosed = files.Link("to-closed", closed);

        var error = Assert.Throws<UnauthorizedAccessException>(() => SecureBuffer.ReadFile(toOpen));
        Assert.Contains("0644", error.Message, StringComparison.Ordinal);
        using SecureBuffer read = SecureBuffer.ReadFile(toClosed);
        Assert.Equal(1, read.Length);
    }

    [Fact]
    public async Task A_FIFO_nobody_writes_to_is_refused_at_once()
    {
        string fifo = files.Fifo("fifo");
        Exception error = await ReaderFiles.FailsWithoutWaiting(fifo, () => SecureBuffer.ReadFile(fifo));
        Assert.IsType<IOException>(error);
        Assert.Contains("a FIFO", error.Message, StringComparison.Ordinal);
        Assert.Contains(fifo, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Dev_zero_and_a_directory_are_refused()
    {
        Assert.Contains("a device", Assert.Throws<IOException>(() => SecureBuffer.ReadFile("/dev/zero")).Message, StringComparison.Ordinal);
        Assert.Contains("a directory", Assert.Throws<IOException>(() => SecureBuffer.ReadFile(files.Path)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_file_is_FileNotFoundException()
    {
        string path = files.Name("missing");
        var error = Assert.Throws<FileNotFoundException>(() => SecureBuffer.ReadFile(path));
        Assert.Equal(path, error.FileName);
    }

    [Fact]
    public void A_file_longer_than_MaxLength_is_refused_and_one_of_exactly_MaxLength_is_read()
    {
        var options = new SecureFileOptions { MaxLength = 100, TrimTrailingNewline = false };
        string exact = files.File("exact", new byte[100]);
        string longer = files.File("longer", new byte[101]);

        using (SecureBuffer read = SecureBuffer.ReadFile(exact, options))
        {
            Assert.Equal(100, read.Length);
        }

        var error = Assert.Throws<InvalidDataException>(() => SecureBuffer.ReadFile(longer, options));
        Assert.Contains(longer, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_file_over_one_MiB_is_refused_by_default()
    {
        string path = files.File("big", new byte[SecureFileOptions.DefaultMaxLength + 1]);
        Assert.Throws<InvalidDataException>(() => SecureBuffer.ReadFile(path));
    }

    /// <summary>
    /// A writer appends without end: the read stops either at the end it reached (every byte the
    /// writer's) or at MaxLength, and never runs on. Which one depends on the two processes' speeds;
    /// both are correct, and neither is a hang.
    /// </summary>
    [Fact]
    public void A_file_growing_while_read_is_read_to_an_end_or_refused_at_MaxLength()
    {
        string path = files.File("growing", "x"u8);
        using var writer = Process.Start(new ProcessStartInfo(Tools.Require("sh"), ["-c", "while :; do printf xxxxxxxxxxxxxxxx >> \"$1\"; done", "sh", path]))!;
        try
        {
            var options = new SecureFileOptions { MaxLength = 64 * 1024, TrimTrailingNewline = false };
            for (int i = 0; i < 20; i++)
            {
                try
                {
                    using SecureBuffer read = SecureBuffer.ReadFile(path, options);
                    Assert.InRange(read.Length, 1, options.MaxLength);
                    Assert.True(read.Span.IndexOfAnyExcept((byte)'x') < 0, "only the writer's bytes");
                }
                catch (InvalidDataException)
                {
                    // The file passed MaxLength: refused, as it must be.
                }
            }
        }
        finally
        {
            writer.Kill();
            writer.WaitForExit();
        }
    }

    [Fact]
    public void MaxLength_outside_the_range_is_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new SecureFileOptions { MaxLength = -1 });
        Assert.Throws<ArgumentOutOfRangeException>(() => new SecureFileOptions { MaxLength = SecureBuffer.MaxLength + 1 });
    }
}
