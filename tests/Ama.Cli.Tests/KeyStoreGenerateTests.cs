using Ama.Cryptography;

namespace Ama.Cli.Tests;

/// <summary><c>ama keystore generate NAME --type aes256|ed25519|x25519|random:N</c> (issue 20, section 6).</summary>
public sealed class KeyStoreGenerateTests : IDisposable
{
    private readonly string directory = Directory.CreateTempSubdirectory("ama-gen-").FullName;
    private readonly string store;
    private readonly string passwordFile;

    public KeyStoreGenerateTests()
    {
        store = Path.Combine(directory, "app.keys");
        passwordFile = Path.Combine(directory, "pw.txt");
        SecretFiles.WriteAllText(passwordFile, "generate-password-19\n");
        KeyStoreFixture.Create(store, passwordFile);
    }

    public void Dispose()
    {
        Directory.Delete(directory, recursive: true);
        GC.SuppressFinalize(this);
    }

    [Fact]
    public void Ed25519_stores_the_seed_and_prints_its_public_key()
    {
        byte[] printed = Convert.FromBase64String(Generate("sign", "ed25519").Trim());
        byte[] seed = KeyStoreFixture.GetRaw(store, passwordFile, "sign");
        Assert.Equal(32, seed.Length);
        using SecureEd25519 key = SecureEd25519.FromSeed(seed);
        Assert.Equal(key.PublicKey.ToArray(), printed);
    }

    [Fact]
    public void X25519_stores_the_private_key_and_prints_its_public_key()
    {
        byte[] printed = Convert.FromBase64String(Generate("agree", "x25519").Trim());
        byte[] privateKey = KeyStoreFixture.GetRaw(store, passwordFile, "agree");
        Assert.Equal(32, privateKey.Length);
        using SecureX25519 key = SecureX25519.FromPrivateKey(privateKey);
        Assert.Equal(key.PublicKey.ToArray(), printed);
    }

    [Theory]
    [InlineData("aes256", 32)]
    [InlineData("random:1", 1)]
    [InlineData("random:100", 100)]
    public void Symmetric_types_store_that_many_random_bytes_and_print_nothing(string type, int length)
    {
        Assert.Equal(string.Empty, Generate("k", type));
        byte[] first = KeyStoreFixture.GetRaw(store, passwordFile, "k");
        Assert.Equal(length, first.Length);

        // A second generate is a new version with fresh bytes (equal 32-byte draws would mean no randomness).
        if (length >= 32)
        {
            Generate("k", type);
            Assert.NotEqual(first, KeyStoreFixture.GetRaw(store, passwordFile, "k"));
        }
    }

    [Theory]
    [InlineData("rsa")]
    [InlineData("random:0")]
    [InlineData("random:65537")]
    [InlineData("random:x")]
    [InlineData("AES256")]
    public void An_unknown_type_is_a_usage_error_naming_the_option(string type)
    {
        AmaProcess.Result result = AmaProcess.Run("keystore", "generate", store, "k", "--type", type, "--password-file", passwordFile);
        Assert.True(result.ExitCode == 64, result.ToString());
        Assert.Contains($"--type '{type}'", result.Stderr, StringComparison.Ordinal);
        Assert.Equal(string.Empty, KeyStoreFixture.Ok(AmaProcess.Run("keystore", "list", store, "--password-file", passwordFile)).Stdout);
    }

    private string Generate(string name, string type)
    {
        AmaProcess.Result result = KeyStoreFixture.Ok(AmaProcess.Run("keystore", "generate", store, name, "--type", type, "--password-file", passwordFile));
        Assert.Contains($"Stored {name} version", result.Stderr, StringComparison.Ordinal);
        return result.Stdout;
    }
}
