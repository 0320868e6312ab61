using Ama.Cryptography.Hosting.Tests.Infrastructure;
using Ama.Cryptography.KeyManagement;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Ama.Cryptography.Hosting.Tests;

/// <summary>
/// Issue 23, finding 5: a whole-file rollback undoes a revocation at the next start. With a minimum
/// generation pinned (an option, or a file kept apart from the store), a restarted host refuses the
/// rolled-back store; without a pin it accepts it, which is the documented limit.
/// </summary>
public sealed class GenerationPinTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    /// <summary>A store with a key, a copy of it taken before the key is revoked (deleted), and the generation after the revocation.</summary>
    private static async Task<(string Path, string KeyFile, byte[] Backup, long Revoked)> RevokedStoreWithOldBackupAsync(TempDirectory dir)
    {
        string path = dir.File("app.amaks");
        string keyFile = dir.File("store.key");
        Secrets.WriteKeyFile(keyFile);
        using IHost host = Hosts.Build(o => { o.Path = path; o.KeyFile = keyFile; o.CreateIfMissing = true; });
        await host.StartAsync(Token);
        var storage = host.Services.GetRequiredService<SecureKeyStorage>();
        storage.Store("compromised", Secrets.NewKey());
        byte[] backup = File.ReadAllBytes(path);
        Assert.True(storage.Delete("compromised"));
        long revoked = storage.Generation;
        await host.StopAsync(Token);
        return (path, keyFile, backup, revoked);
    }

    [Fact]
    public async Task A_store_rolled_back_past_a_revocation_is_refused_at_start_when_the_generation_is_pinned()
    {
        using var dir = new TempDirectory();
        (string path, string keyFile, byte[] backup, long revoked) = await RevokedStoreWithOldBackupAsync(dir);
        File.WriteAllBytes(path, backup);

        Exception e = await Hosts.StartFailingAsync(Hosts.Build(o => { o.Path = path; o.KeyFile = keyFile; o.MinimumGeneration = revoked; }));

        var damaged = Assert.IsType<KeyStoreDamagedException>(e);
        Assert.Contains($"is at generation {revoked - 1}, older than the minimum generation {revoked}", damaged.Message, StringComparison.Ordinal);
        Assert.Contains("SecureKeyStorageOptions.MinimumGeneration", damaged.Message, StringComparison.Ordinal);
        Assert.Contains(path, damaged.Message, StringComparison.Ordinal);
        Assert.Equal(backup, File.ReadAllBytes(path)); // refusing writes nothing
    }

    [Fact]
    public async Task A_pin_kept_in_a_file_apart_from_the_store_refuses_the_rollback_and_the_newest_store_opens()
    {
        using var dir = new TempDirectory();
        (string path, string keyFile, byte[] backup, long revoked) = await RevokedStoreWithOldBackupAsync(dir);
        byte[] newest = File.ReadAllBytes(path);
        string pinFile = Path.Combine(Directory.CreateDirectory(dir.File("deployment")).FullName, "keystore.min-generation");
        File.WriteAllText(pinFile, revoked + "\n");
        File.WriteAllBytes(path, backup);

        Exception e = await Hosts.StartFailingAsync(Hosts.Build(o => { o.Path = path; o.KeyFile = keyFile; o.MinimumGenerationFile = pinFile; }));
        var damaged = Assert.IsType<KeyStoreDamagedException>(e);
        Assert.Contains($"minimum generation {revoked} pinned by SecureKeyStorageOptions.MinimumGenerationFile ('{pinFile}')", damaged.Message, StringComparison.Ordinal);

        // The newest store meets the pin: the revoked key stays revoked.
        File.WriteAllBytes(path, newest);
        using IHost host = Hosts.Build(o => { o.Path = path; o.KeyFile = keyFile; o.MinimumGenerationFile = pinFile; });
        await host.StartAsync(Token);
        Assert.False(host.Services.GetRequiredService<SecureKeyStorage>().Contains("compromised"));
        await host.StopAsync(Token);
    }

    [Fact]
    public async Task Without_a_pin_a_restarted_host_accepts_the_rolled_back_store_and_the_revoked_key_is_back()
    {
        // The documented limit (docs/threat-model.md): nothing in the rolled-back file tells it from the real one.
        using var dir = new TempDirectory();
        (string path, string keyFile, byte[] backup, _) = await RevokedStoreWithOldBackupAsync(dir);
        File.WriteAllBytes(path, backup);

        using IHost host = Hosts.Build(o => { o.Path = path; o.KeyFile = keyFile; });
        await host.StartAsync(Token);
        Assert.True(host.Services.GetRequiredService<SecureKeyStorage>().Contains("compromised"));
        await host.StopAsync(Token);
    }

    [Theory]
    [InlineData("")]
    [InlineData("seven\n")]
    [InlineData("-3\n")]
    public async Task A_pin_file_without_a_generation_fails_validation_naming_the_option_and_the_file(string content)
    {
        using var dir = new TempDirectory();
        string path = dir.File("app.amaks");
        string keyFile = dir.File("store.key");
        Secrets.WriteKeyFile(keyFile);
        string pinFile = dir.File("pin");
        File.WriteAllText(pinFile, content);

        Exception e = await Hosts.StartFailingAsync(Hosts.Build(o => { o.Path = path; o.KeyFile = keyFile; o.CreateIfMissing = true; o.MinimumGenerationFile = pinFile; }));

        Assert.IsType<OptionsValidationException>(e);
        Assert.Contains("SecureKeyStorageOptions.MinimumGenerationFile", e.Message, StringComparison.Ordinal);
        Assert.Contains(pinFile, e.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(path));
    }

    [Fact]
    public async Task The_pin_binds_from_configuration_and_a_value_that_is_not_a_generation_names_its_key()
    {
        using var dir = new TempDirectory();
        (string path, string keyFile, byte[] backup, long revoked) = await RevokedStoreWithOldBackupAsync(dir);
        File.WriteAllBytes(path, backup);
        var settings = new Dictionary<string, string?>
        {
            ["Ama:KeyStore:Path"] = path,
            ["Ama:KeyStore:KeyFile"] = keyFile,
            ["Ama:KeyStore:MinimumGeneration"] = revoked.ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        Exception e = await Hosts.StartFailingAsync(Hosts.Build((s, c) => s.AddSecureKeyStorage(c), configuration: settings));
        Assert.Contains("pinned by Ama:KeyStore:MinimumGeneration", Assert.IsType<KeyStoreDamagedException>(e).Message, StringComparison.Ordinal);

        settings["Ama:KeyStore:MinimumGeneration"] = "-1";
        e = await Hosts.StartFailingAsync(Hosts.Build((s, c) => s.AddSecureKeyStorage(c), configuration: settings));
        Assert.IsType<OptionsValidationException>(e);
        Assert.Contains("Ama:KeyStore:MinimumGeneration", e.Message, StringComparison.Ordinal);
    }
}
