using System.Text.Json;

namespace Ama.Cli.Tests;

/// <summary><c>put --meta key=value</c>, repeatable, stored as the new version's metadata (issue 20, section 6).</summary>
public sealed class KeyStorePutMetaTests : IDisposable
{
    private readonly string directory = Directory.CreateTempSubdirectory("ama-meta-").FullName;
    private readonly string store;
    private readonly string passwordFile;

    public KeyStorePutMetaTests()
    {
        store = Path.Combine(directory, "app.keys");
        passwordFile = Path.Combine(directory, "pw.txt");
        SecretFiles.WriteAllText(passwordFile, "meta-password-73\n");
        KeyStoreFixture.Create(store, passwordFile);
    }

    public void Dispose()
    {
        Directory.Delete(directory, recursive: true);
        GC.SuppressFinalize(this);
    }

    [Fact]
    public void Each_meta_pair_is_stored_with_the_new_version()
    {
        KeyStoreFixture.Ok(AmaProcess.Run("keystore", "put", store, "db-key", "--generate", "16", "--password-file", passwordFile, "--meta", "purpose=db", "--meta", "url=https://x/?a=b c", "--meta", "empty="));
        KeyStoreFixture.Ok(AmaProcess.Run("keystore", "put", store, "db-key", "--generate", "16", "--password-file", passwordFile));

        using JsonDocument versions = JsonDocument.Parse(KeyStoreFixture.Ok(AmaProcess.Run("keystore", "versions", store, "db-key", "--json", "--password-file", passwordFile)).Stdout);
        JsonElement[] list = [.. versions.RootElement.GetProperty("versions").EnumerateArray()];
        JsonElement first = list.Single(v => v.GetProperty("version").GetInt32() == 1).GetProperty("metadata");
        Assert.Equal(3, first.EnumerateObject().Count());
        Assert.Equal("db", first.GetProperty("purpose").GetString());
        Assert.Equal("https://x/?a=b c", first.GetProperty("url").GetString());
        Assert.Equal(string.Empty, first.GetProperty("empty").GetString());

        // Control: a version put without --meta has none.
        Assert.Empty(list.Single(v => v.GetProperty("version").GetInt32() == 2).GetProperty("metadata").EnumerateObject());
    }

    [Theory]
    [InlineData("purpose")]
    [InlineData("=db")]
    [InlineData("")]
    public void A_pair_without_a_key_and_equals_is_a_usage_error_naming_the_option(string pair)
    {
        AssertUsage(AmaProcess.Run("keystore", "put", store, "db-key", "--generate", "16", "--password-file", passwordFile, "--meta", pair), "is not KEY=VALUE");
    }

    [Fact]
    public void A_key_given_twice_is_a_usage_error()
    {
        AssertUsage(AmaProcess.Run("keystore", "put", store, "db-key", "--generate", "16", "--password-file", passwordFile, "--meta", "a=1", "--meta", "a=2"), "--meta key 'a' is given twice");
    }

    private void AssertUsage(AmaProcess.Result result, string reason)
    {
        Assert.True(result.ExitCode == 64, result.ToString());
        Assert.Contains("--meta", result.Stderr, StringComparison.Ordinal);
        Assert.Contains(reason, result.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("Unrecognized", result.Stderr, StringComparison.Ordinal);

        // Nothing was stored.
        Assert.Equal(string.Empty, KeyStoreFixture.Ok(AmaProcess.Run("keystore", "list", store, "--password-file", passwordFile)).Stdout);
    }
}
