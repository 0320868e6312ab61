using System.Text;

namespace Ama.Cryptography.Tests.Readers;

/// <summary>
/// SecureBuffer.ReadCredential: systemd's $CREDENTIALS_DIRECTORY/&lt;name&gt;. The tests of this class
/// set the variable for the whole process; no other test reads it, and a class runs its tests one at a time.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
[Collection(nameof(SetsCredentialsDirectory))]
public sealed class ReadCredentialTests : IDisposable
{
    private const string Variable = "CREDENTIALS_DIRECTORY";
    private readonly ReaderFiles files = new();
    private readonly string? saved = Environment.GetEnvironmentVariable(Variable);

    public ReadCredentialTests() => Environment.SetEnvironmentVariable(Variable, files.Path);

    public void Dispose()
    {
        Environment.SetEnvironmentVariable(Variable, saved);
        files.Dispose();
    }

    [Fact]
    public void A_credential_is_read_with_its_trailing_newline_trimmed()
    {
        files.File("db-key", "s3cret\n"u8, UnixFileMode.UserRead);
        using SecureBuffer read = SecureBuffer.ReadCredential("db-key");
        Assert.Equal("s3cret", Encoding.ASCII.GetString(read.Span));
    }

    [Fact]
    public void An_empty_credential_gives_an_empty_buffer()
    {
        files.File("empty", []);
        using SecureBuffer read = SecureBuffer.ReadCredential("empty");
        Assert.Equal(0, read.Length);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    public void An_unset_variable_is_a_clear_error(string? value)
    {
        Environment.SetEnvironmentVariable(Variable, value);
        var error = Assert.Throws<InvalidOperationException>(() => SecureBuffer.ReadCredential("db-key"));
        Assert.Contains(Variable, error.Message, StringComparison.Ordinal);
        Assert.Contains("LoadCredential=", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_credential_names_itself_and_the_directory()
    {
        var error = Assert.Throws<FileNotFoundException>(() => SecureBuffer.ReadCredential("db-key"));
        Assert.Contains("'db-key'", error.Message, StringComparison.Ordinal);
        Assert.Contains(files.Path, error.Message, StringComparison.Ordinal);
        Assert.Equal(files.Name("db-key"), error.FileName);
    }

    [Theory]
    [InlineData("")]
    [InlineData(".")]
    [InlineData("..")]
    [InlineData("../etc/shadow")]
    [InlineData("a/b")]
    [InlineData("/etc/shadow")]
    [InlineData("a\0b")]
    public void A_name_that_is_not_a_file_name_is_refused(string name)
    {
        var error = Assert.Throws<ArgumentException>(() => SecureBuffer.ReadCredential(name));
        Assert.Equal("name", error.ParamName);
    }

    [Fact]
    public void Control_a_name_with_dots_inside_is_a_file_name()
    {
        files.File("a..b.key", "k"u8);
        using SecureBuffer read = SecureBuffer.ReadCredential("a..b.key");
        Assert.Equal(1, read.Length);
    }

    [Fact]
    public void A_0644_credential_and_a_symlink_to_one_are_refused_with_the_mode()
    {
        string target = files.File("open-target", "k"u8, ReaderFiles.Mode0644);
        files.Link("linked", target);
        Assert.Contains("0644", Assert.Throws<UnauthorizedAccessException>(() => SecureBuffer.ReadCredential("open-target")).Message, StringComparison.Ordinal);
        Assert.Contains("0644", Assert.Throws<UnauthorizedAccessException>(() => SecureBuffer.ReadCredential("linked")).Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_FIFO_credential_is_refused_at_once()
    {
        string fifo = files.Fifo("fifo");
        Exception error = await ReaderFiles.FailsWithoutWaiting(fifo, () => SecureBuffer.ReadCredential("fifo"));
        Assert.IsType<IOException>(error);
        Assert.Contains("a FIFO", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_credential_over_one_MiB_is_refused()
    {
        files.File("big", new byte[SecureFileOptions.DefaultMaxLength + 1]);
        Assert.Throws<InvalidDataException>(() => SecureBuffer.ReadCredential("big"));
    }
}
