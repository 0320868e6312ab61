using Ama.Cryptography.Hosting.Tests.Infrastructure;
using Ama.Cryptography.KeyManagement;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Ama.Cryptography.Hosting.Tests;

/// <summary>The <c>Ama:KeyStore</c> section, bound by hand (the KDF included) and combined with code.</summary>
public sealed class ConfigurationBindingTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task The_section_with_a_Kdf_creates_a_password_store_with_that_Kdf()
    {
        using var dir = new TempDirectory();
        string passwordFile = dir.File("password.txt");
        Secrets.WritePasswordFile(passwordFile, Secrets.NewPassword() + "\n");
        string path = dir.File("configured.amaks");
        Dictionary<string, string?> settings = new()
        {
            ["Ama:KeyStore:Path"] = path,
            ["Ama:KeyStore:PasswordFile"] = passwordFile,
            ["Ama:KeyStore:CreateIfMissing"] = "true",
            ["Ama:KeyStore:Kdf:Algorithm"] = "Pbkdf2Sha256",
            ["Ama:KeyStore:Kdf:Iterations"] = "20000",
        };

        using IHost host = Hosts.Build((s, c) => s.AddSecureKeyStorage(c), configuration: settings);
        await host.StartAsync(Token);
        var storage = host.Services.GetRequiredService<SecureKeyStorage>();
        Assert.Equal(path, storage.FilePath);
        Assert.Equal(KeyStoreKdfAlgorithm.Pbkdf2Sha256, storage.Kdf?.Algorithm);
        Assert.Equal(20000, storage.Kdf?.Iterations);
        await host.StopAsync(Token);
    }

    [Fact]
    public async Task Code_after_configuration_completes_it_and_a_custom_section_name_is_honoured()
    {
        using var dir = new TempDirectory();
        string keyFile = dir.File("store.key");
        Secrets.WriteKeyFile(keyFile);
        string path = dir.File("combined.amaks");
        Dictionary<string, string?> settings = new()
        {
            ["Secrets:Store:Path"] = path,
            ["Secrets:Store:KeyFile"] = keyFile,
        };

        using IHost host = Hosts.Build(
            (s, c) => s.AddSecureKeyStorage(c, "Secrets:Store").AddSecureKeyStorage(o => o.CreateIfMissing = true),
            configuration: settings);
        await host.StartAsync(Token);
        Assert.Equal(path, host.Services.GetRequiredService<SecureKeyStorage>().FilePath);
        await host.StopAsync(Token);
    }

    [Theory]
    [InlineData("Ama:KeyStore:Kdf:Algorithm", "Scrypt", "Ama:KeyStore:Kdf:Algorithm")]
    [InlineData("Ama:KeyStore:Kdf:Iterations", "many", "Ama:KeyStore:Kdf:Iterations")]
    [InlineData("Ama:KeyStore:Kdf:MemoryKiB", "1", "Ama:KeyStore:Kdf")]
    [InlineData("Ama:KeyStore:CreateIfMissing", "yes", "Ama:KeyStore:CreateIfMissing")]
    public async Task A_bad_value_fails_validation_naming_its_key(string key, string value, string named)
    {
        using var dir = new TempDirectory();
        string keyFile = dir.File("store.key");
        Secrets.WriteKeyFile(keyFile);
        Dictionary<string, string?> settings = new()
        {
            ["Ama:KeyStore:Path"] = dir.File("s.amaks"),
            ["Ama:KeyStore:KeyFile"] = keyFile,
            ["Ama:KeyStore:CreateIfMissing"] = "true",
            ["Ama:KeyStore:Kdf:Algorithm"] = "Argon2id",
        };
        settings[key] = value;

        Exception e = await Hosts.StartFailingAsync(Hosts.Build((s, c) => s.AddSecureKeyStorage(c), configuration: settings));

        var validation = Assert.IsType<OptionsValidationException>(e);
        Assert.Contains(validation.Failures, f => f.Contains(named, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("Ama:KeyStore:Kdf:MemoryKiB", "65536")]
    [InlineData("Ama:KeyStore:Kdf:Iterations", "3")]
    public async Task A_Kdf_cost_without_an_algorithm_says_the_algorithm_is_missing_and_names_it(string key, string value)
    {
        using var dir = new TempDirectory();
        string keyFile = dir.File("store.key");
        Secrets.WriteKeyFile(keyFile);
        Dictionary<string, string?> settings = new()
        {
            ["Ama:KeyStore:Path"] = dir.File("s.amaks"),
            ["Ama:KeyStore:KeyFile"] = keyFile,
            ["Ama:KeyStore:CreateIfMissing"] = "true",
            [key] = value,
        };

        Exception e = await Hosts.StartFailingAsync(Hosts.Build((s, c) => s.AddSecureKeyStorage(c), configuration: settings));

        string failure = Assert.Single(Assert.IsType<OptionsValidationException>(e).Failures);
        Assert.Contains("'Ama:KeyStore:Kdf:Algorithm' (SecureKeyStorageOptions.Kdf) is missing", failure, StringComparison.Ordinal);
        Assert.Contains("Argon2id or Pbkdf2Sha256", failure, StringComparison.Ordinal);
        Assert.DoesNotContain("not valid", failure, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Options_bound_from_configuration_are_named_by_their_configuration_key()
    {
        using var dir = new TempDirectory();
        Dictionary<string, string?> settings = new()
        {
            ["Ama:KeyStore:Path"] = dir.File("s.amaks"),
            ["Ama:KeyStore:KeyFile"] = dir.File("absent.key"),
            ["Ama:KeyStore:CreateIfMissing"] = "true",
        };
        Exception e = await Hosts.StartFailingAsync(Hosts.Build((s, c) => s.AddSecureKeyStorage(c), configuration: settings));
        Assert.Contains("Ama:KeyStore:KeyFile", e.Message, StringComparison.Ordinal);
    }
}
