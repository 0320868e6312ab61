using Ama.Cryptography.Hosting.Tests.Infrastructure;
using Ama.Cryptography.KeyManagement;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Ama.Cryptography.Hosting.Tests;

/// <summary>The host's store under pressure: replaced by another store, deleted, raced at creation, disposed mid-refresh; and credentials from two places.</summary>
public sealed class StoreLifecycleAttackTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_store_replaced_by_another_store_is_logged_and_never_overwritten_by_the_host()
    {
        using var dir = new TempDirectory();
        string path = dir.File("s.amaks");
        string keyFile = dir.File("store.key");
        byte[] key = Secrets.WriteKeyFile(keyFile);
        var logs = new CapturingLoggerProvider();
        using IHost host = Hosts.Build(o => { o.Path = path; o.KeyFile = keyFile; o.CreateIfMissing = true; }, logs);
        await host.StartAsync(Token);
        var storage = host.Services.GetRequiredService<SecureKeyStorage>();
        storage.Store("ours", Secrets.NewKey());

        byte[] otherKey = Secrets.NewKey();
        string other = dir.File("other.amaks");
        using (var credential = KeyStoreCredential.FromKey(otherKey))
        using (var foreign = SecureKeyStorage.Create(other, credential))
        {
            foreign.Store("theirs", Secrets.NewKey());
        }

        File.Move(other, path, overwrite: true);
        byte[] foreignBytes = File.ReadAllBytes(path);
        Assert.True(await Eventually.TrueAsync(() => logs.Lines.Any(l => l.Contains("Refreshing the key store", StringComparison.Ordinal)), TimeSpan.FromSeconds(30)),
            "No refresh failure was logged after the file was replaced by another store.");
        Assert.True(storage.Contains("ours"));
        Assert.ThrowsAny<Exception>(() => storage.Store("after", Secrets.NewKey()));
        Assert.Equal(foreignBytes, File.ReadAllBytes(path));
        Secrets.AssertNoneContains(logs.Lines, [.. Secrets.FormsOf(key), .. Secrets.FormsOf(otherKey)]);
        await host.StopAsync(Token);
    }

    [Fact]
    public async Task Disposing_the_host_while_the_watcher_refreshes_does_not_crash_and_leaves_the_file_readable()
    {
        using var dir = new TempDirectory();
        string path = dir.File("s.amaks");
        string keyFile = dir.File("store.key");
        byte[] key = Secrets.WriteKeyFile(keyFile);
        for (int round = 0; round < 5; round++)
        {
            var logs = new CapturingLoggerProvider();
            IHost host = Hosts.Build(o => { o.Path = path; o.KeyFile = keyFile; o.CreateIfMissing = true; }, logs);
            await host.StartAsync(Token);
            using var credential = KeyStoreCredential.FromKey(key);
            using var writer = SecureKeyStorage.Open(path, credential);
            using var stop = new CancellationTokenSource();
            Task writes = Task.Run(() =>
            {
                while (!stop.IsCancellationRequested)
                {
                    writer.Store("churn", Secrets.NewKey());
                }
            }, Token);
            await Task.Delay(KeyStoreFileWatcherDebounce() + TimeSpan.FromMilliseconds(50 * round), Token);
            await host.StopAsync(Token);
            host.Dispose();
            await Task.Delay(300, Token);
            await stop.CancelAsync();
            await writes;
            Assert.DoesNotContain(logs.Lines, l => l.Contains("Refreshing the key store", StringComparison.Ordinal) && !l.Contains("ObjectDisposed", StringComparison.Ordinal));
        }

        using var check = KeyStoreCredential.FromKey(key);
        using var reopened = SecureKeyStorage.Open(path, check);
        Assert.True(reopened.Contains("churn"));
    }

    [Fact]
    public async Task Two_hosts_creating_the_same_missing_store_at_once_both_start_on_one_store()
    {
        for (int round = 0; round < 5; round++)
        {
            using var dir = new TempDirectory();
            string path = dir.File("s.amaks");
            string keyFile = dir.File("store.key");
            Secrets.WriteKeyFile(keyFile);
            using IHost a = Hosts.Build(o => { o.Path = path; o.KeyFile = keyFile; o.CreateIfMissing = true; });
            using IHost b = Hosts.Build(o => { o.Path = path; o.KeyFile = keyFile; o.CreateIfMissing = true; });
            await Task.WhenAll(Task.Run(() => a.StartAsync(Token), Token), Task.Run(() => b.StartAsync(Token), Token));
            a.Services.GetRequiredService<SecureKeyStorage>().Store("from-a", Secrets.NewKey());
            var storageB = b.Services.GetRequiredService<SecureKeyStorage>();
            storageB.Refresh();
            Assert.True(storageB.Contains("from-a"));
            await a.StopAsync(Token);
            await b.StopAsync(Token);
        }
    }

    [Fact]
    public async Task A_credential_in_configuration_and_another_in_code_fail_naming_both()
    {
        using var dir = new TempDirectory();
        string keyFile = dir.File("store.key");
        byte[] key = Secrets.WriteKeyFile(keyFile);
        Exception e = await Hosts.StartFailingAsync(Hosts.Build(
            (services, configuration) => services
                .AddSecureKeyStorage(configuration)
                .AddSecureKeyStorage(o => o.Credential = _ => KeyStoreCredential.FromKey(key)),
            configuration: [new("Ama:KeyStore:Path", dir.File("s.amaks")), new("Ama:KeyStore:KeyFile", keyFile), new("Ama:KeyStore:CreateIfMissing", "true")]));
        Assert.IsType<OptionsValidationException>(e);
        Assert.Contains("Ama:KeyStore:KeyFile", e.Message, StringComparison.Ordinal);
        Assert.Contains("SecureKeyStorageOptions.Credential", e.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(dir.File("s.amaks")));

        // Control: the configuration alone starts.
        using IHost host = Hosts.Build((services, configuration) => services.AddSecureKeyStorage(configuration),
            configuration: [new("Ama:KeyStore:Path", dir.File("s.amaks")), new("Ama:KeyStore:KeyFile", keyFile), new("Ama:KeyStore:CreateIfMissing", "true")]);
        await host.StartAsync(Token);
        await host.StopAsync(Token);
    }

    [Theory]
    [InlineData("\n")]
    [InlineData("\r\n")]
    [InlineData(" ")]
    public async Task A_key_variable_with_surrounding_white_space_or_a_line_break_opens_the_store(string around)
    {
        using var dir = new TempDirectory();
        string variable = "AMA_TEST_KEY_" + Guid.NewGuid().ToString("N");
        byte[] key = Secrets.NewKey();
        Environment.SetEnvironmentVariable(variable, around + Convert.ToBase64String(key) + around);
        try
        {
            var logs = new CapturingLoggerProvider();
            using IHost host = Hosts.Build(o => { o.Path = dir.File("s.amaks"); o.KeyEnvironmentVariable = variable; o.CreateIfMissing = true; }, logs);
            await host.StartAsync(Token);
            await host.StopAsync(Token);
            using var credential = KeyStoreCredential.FromKey(key);
            SecureKeyStorage.Open(dir.File("s.amaks"), credential).Dispose();

            // Control: another key does not open what the variable's key created.
            using var wrong = KeyStoreCredential.FromKey(Secrets.NewKey());
            Assert.Throws<KeyStoreCredentialException>(() => SecureKeyStorage.Open(dir.File("s.amaks"), wrong));
        }
        finally
        {
            Environment.SetEnvironmentVariable(variable, null);
        }
    }

    private static TimeSpan KeyStoreFileWatcherDebounce() => Internal.KeyStoreFileWatcher.Debounce;
}
