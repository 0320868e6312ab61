namespace Ama.Cli.Tests;

/// <summary><c>get --format text|hex|base64|raw</c>: hex stays the default, text is explicit and refuses what is not UTF-8 (issue 20, section 6).</summary>
public sealed class KeyStoreGetFormatTests : IDisposable
{
    private const string Token = "s3cr3t-token ✓ é";

    // Not UTF-8 (0xFF never occurs in it), with printable bytes around it that would show if echoed.
    private static readonly byte[] Binary = [(byte)'Z', (byte)'q', 0xFF, 0xFE, (byte)'K', (byte)'w', 0x00, 0x80];

    private readonly string directory = Directory.CreateTempSubdirectory("ama-fmt-").FullName;
    private readonly string store;
    private readonly string passwordFile;

    public KeyStoreGetFormatTests()
    {
        store = Path.Combine(directory, "app.keys");
        passwordFile = Path.Combine(directory, "pw.txt");
        SecretFiles.WriteAllText(passwordFile, "format-password-55\n");
        KeyStoreFixture.Create(store, passwordFile);
        KeyStoreFixture.Put(store, passwordFile, "token", System.Text.Encoding.UTF8.GetBytes(Token));
        KeyStoreFixture.Put(store, passwordFile, "binary", Binary);
    }

    public void Dispose()
    {
        Directory.Delete(directory, recursive: true);
        GC.SuppressFinalize(this);
    }

    [Fact]
    public void Text_prints_a_text_secret_as_text_and_hex_stays_the_default()
    {
        byte[] utf8 = System.Text.Encoding.UTF8.GetBytes(Token);
        Assert.Equal(Token + "\n", KeyStoreFixture.Get(store, passwordFile, "token", "--format", "text"));
        Assert.Equal(Convert.ToHexStringLower(utf8) + "\n", KeyStoreFixture.Get(store, passwordFile, "token"));
        Assert.Equal(Convert.ToHexStringLower(utf8) + "\n", KeyStoreFixture.Get(store, passwordFile, "token", "--format", "hex"));
        Assert.Equal(Convert.ToBase64String(Binary) + "\n", KeyStoreFixture.Get(store, passwordFile, "binary", "--format", "base64"));
        Assert.Equal(Binary, KeyStoreFixture.GetRaw(store, passwordFile, "binary"));

        string output = Path.Combine(directory, "token.txt");
        KeyStoreFixture.Get(store, passwordFile, "token", "--format", "text", "--output", output);
        Assert.Equal(Token + "\n", File.ReadAllText(output));
    }

    [Fact]
    public void Text_refuses_bytes_that_are_not_utf8_without_echoing_them()
    {
        AmaProcess.Result refused = AmaProcess.Run("keystore", "get", store, "binary", "--format", "text", "--password-file", passwordFile);
        AssertRefused(refused);

        // Nor is an --output file left behind.
        string output = Path.Combine(directory, "binary.txt");
        AssertRefused(AmaProcess.Run("keystore", "get", store, "binary", "--format", "text", "--output", output, "--password-file", passwordFile));
        Assert.False(File.Exists(output));
    }

    [Fact]
    public void The_help_names_every_format_and_the_default()
    {
        AmaProcess.Result help = KeyStoreFixture.Ok(AmaProcess.Run("keystore", "get", "--help"));
        foreach (string format in (string[])["text", "hex", "base64", "raw"])
        {
            Assert.Contains(format, help.Stdout, StringComparison.Ordinal);
        }

        Assert.Contains("default hex", help.Stdout, StringComparison.Ordinal);
    }

    private static void AssertRefused(AmaProcess.Result result)
    {
        Assert.True(result.ExitCode == 65, result.ToString());
        Assert.Empty(result.Stdout);
        Assert.Contains("'binary'", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("UTF-8", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("--format hex", result.Stderr, StringComparison.Ordinal);
        foreach (string echo in (string[])["Zq", "Kw", Convert.ToHexStringLower(Binary), Convert.ToHexString(Binary), Convert.ToBase64String(Binary)])
        {
            Assert.DoesNotContain(echo, result.Stderr, StringComparison.Ordinal);
        }
    }
}
