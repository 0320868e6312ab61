using Ama.Cryptography.Hosting.Tests.Infrastructure;
using Ama.Cryptography.KeyManagement;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Ama.Cryptography.Hosting.Tests;

/// <summary>
/// SecureKeyStorageOptions.OpenStorage: a store kept somewhere other than the configured file
/// (PostgreSQL in production; here a file the factory chooses, so the test needs no server),
/// opened with the credential the host's options read, and the file options refused beside it.
/// </summary>
public sealed class OpenStorageTests
{
    [Fact]
    public async Task The_factory_gets_the_credential_read_from_KeyFile_and_the_container_owns_what_it_returns()
    {
        using var dir = new TempDirectory();
        string keyFile = dir.File("store.key");
        byte[] key = Secrets.WriteKeyFile(keyFile);
        string elsewhere = dir.File("elsewhere.amaks");
        using (var credential = KeyStoreCredential.FromKey(key))
        using (var setup = SecureKeyStorage.Create(elsewhere, credential))
        {
            setup.Store("k", [1, 2, 3]);
        }

        KeyStoreCredential? given = null;
        SecureKeyStorage storage;
        using (IHost host = Hosts.Build(o =>
        {
            o.KeyFile = keyFile;
            o.OpenStorage = (services, credential) =>
            {
                Assert.NotNull(services.GetService<IHostEnvironment>());
                given = credential;
                return SecureKeyStorage.Open(elsewhere, credential);
            };
        }))
        {
            await host.StartAsync(TestContext.Current.CancellationToken);
            storage = host.Services.GetRequiredService<SecureKeyStorage>();
            using (var material = storage.Retrieve("k"))
            {
                Assert.Equal(new byte[] { 1, 2, 3 }, material.Span.ToArray());
            }

            // The credential was disposed once the factory returned; the storage works on.
            Assert.NotNull(given);
            Assert.Throws<ObjectDisposedException>(() => SecureKeyStorage.Open(elsewhere, given!));
            await host.StopAsync(TestContext.Current.CancellationToken);
        }

        Assert.Throws<ObjectDisposedException>(() => storage.ListKeys());
    }

    [Fact]
    public async Task Path_or_CreateIfMissing_beside_OpenStorage_fails_naming_the_option()
    {
        using var dir = new TempDirectory();
        string keyFile = dir.File("store.key");
        Secrets.WriteKeyFile(keyFile);
        string path = dir.File("unused.amaks");
        string elsewhere = dir.File("elsewhere.amaks");
        int calls = 0;
        SecureKeyStorage Factory(IServiceProvider services, KeyStoreCredential credential)
        {
            calls++;
            return SecureKeyStorage.Create(elsewhere, credential);
        }

        var withPath = await Hosts.StartFailingAsync(Hosts.Build(o => { o.KeyFile = keyFile; o.Path = path; o.OpenStorage = Factory; }));
        Assert.IsType<OptionsValidationException>(withPath);
        Assert.Contains("SecureKeyStorageOptions.Path", withPath.Message, StringComparison.Ordinal);
        Assert.Contains("OpenStorage", withPath.Message, StringComparison.Ordinal);

        var withCreate = await Hosts.StartFailingAsync(Hosts.Build(o => { o.KeyFile = keyFile; o.CreateIfMissing = true; o.OpenStorage = Factory; }));
        Assert.Contains("SecureKeyStorageOptions.CreateIfMissing", withCreate.Message, StringComparison.Ordinal);
        Assert.Equal(0, calls);
        Assert.False(File.Exists(path));

        // Control: the factory alone starts, and is called once.
        using IHost host = Hosts.Build(o => { o.KeyFile = keyFile; o.OpenStorage = Factory; });
        await host.StartAsync(TestContext.Current.CancellationToken);
        Assert.Equal(elsewhere, host.Services.GetRequiredService<SecureKeyStorage>().FilePath);
        Assert.Equal(1, calls);
        await host.StopAsync(TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task OpenStorage_still_needs_exactly_one_credential_source()
    {
        var e = await Hosts.StartFailingAsync(Hosts.Build(o => o.OpenStorage = (_, _) => throw new InvalidOperationException("never called")));
        Assert.IsType<OptionsValidationException>(e);
        Assert.Contains("No credential", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("Path", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_factory_that_returns_null_or_throws_stops_the_start_with_its_reason()
    {
        using var dir = new TempDirectory();
        string keyFile = dir.File("store.key");
        Secrets.WriteKeyFile(keyFile);
        var nullResult = await Hosts.StartFailingAsync(Hosts.Build(o => { o.KeyFile = keyFile; o.OpenStorage = (_, _) => null!; }));
        Assert.IsType<InvalidOperationException>(nullResult);
        Assert.Contains("OpenStorage returned null", nullResult.Message, StringComparison.Ordinal);

        var thrown = await Hosts.StartFailingAsync(Hosts.Build(o => { o.KeyFile = keyFile; o.OpenStorage = (_, _) => throw new KeyStoreException("no such store 'web'"); }));
        Assert.IsType<KeyStoreException>(thrown);
        Assert.Contains("no such store 'web'", thrown.Message, StringComparison.Ordinal);
    }
}
