using Ama.Cryptography.Hosting.Tests.Infrastructure;
using Ama.Cryptography.KeyManagement;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Ama.Cryptography.Hosting.Tests;

/// <summary>
/// Issue 23, finding 3: CreateIfMissing creates a store only where there has never been one. A store
/// that is missing after it existed (deleted, renamed away during a restore) fails start-up with a
/// message that says how to restore it, and no new, empty store splits the hosts that share it.
/// </summary>
public sealed class StoreCreationMarkerTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_deleted_store_is_not_created_again_and_start_up_says_how_to_restore_it()
    {
        using var dir = new TempDirectory();
        string path = dir.File("app.amaks");
        string keyFile = dir.File("store.key");
        Secrets.WriteKeyFile(keyFile);
        await CreateWithKeyAsync(path, keyFile);
        File.Delete(path);

        Exception e = await Hosts.StartFailingAsync(Hosts.Build(o => { o.Path = path; o.KeyFile = keyFile; o.CreateIfMissing = true; }));

        Assert.IsType<OptionsValidationException>(e);
        Assert.Contains("'" + path + "' is missing", e.Message, StringComparison.Ordinal);
        Assert.Contains("Restore", e.Message, StringComparison.Ordinal);
        Assert.Contains(path + ".created", e.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(path));
    }

    [Fact]
    public async Task A_store_renamed_away_while_a_host_runs_is_not_replaced_and_opens_again_once_restored()
    {
        using var dir = new TempDirectory();
        string path = dir.File("app.amaks");
        string aside = dir.File("app.amaks.restoring");
        string keyFile = dir.File("store.key");
        Secrets.WriteKeyFile(keyFile);
        byte[] material = Secrets.NewKey();

        using IHost running = Hosts.Build(o => { o.Path = path; o.KeyFile = keyFile; o.CreateIfMissing = true; });
        await running.StartAsync(Token);
        running.Services.GetRequiredService<SecureKeyStorage>().Store("signing", material);

        File.Move(path, aside);
        Exception e = await Hosts.StartFailingAsync(Hosts.Build(o => { o.Path = path; o.KeyFile = keyFile; o.CreateIfMissing = true; }));
        Assert.Contains("is missing", e.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(path)); // no second store for the running host to collide with

        File.Move(aside, path);
        using (IHost restarted = Hosts.Build(o => { o.Path = path; o.KeyFile = keyFile; o.CreateIfMissing = true; }))
        {
            await restarted.StartAsync(Token);
            using SecureBuffer read = restarted.Services.GetRequiredService<SecureKeyStorage>().Retrieve("signing");
            Assert.Equal(material, read.Span.ToArray());
            await restarted.StopAsync(Token);
        }

        // The running host still writes to the one store.
        running.Services.GetRequiredService<SecureKeyStorage>().Store("second", Secrets.NewKey());
        await running.StopAsync(Token);
    }

    [Fact]
    public async Task A_store_made_before_the_marker_existed_is_marked_when_a_host_opens_it()
    {
        using var dir = new TempDirectory();
        string path = dir.File("app.amaks");
        string keyFile = dir.File("store.key");
        byte[] key = Secrets.WriteKeyFile(keyFile);
        using (var credential = KeyStoreCredential.FromKey(key))
        using (SecureKeyStorage.Create(path, credential))
        {
        }

        using (IHost host = Hosts.Build(o => { o.Path = path; o.KeyFile = keyFile; }))
        {
            await host.StartAsync(Token);
            await host.StopAsync(Token);
        }

        File.Delete(path);
        Exception e = await Hosts.StartFailingAsync(Hosts.Build(o => { o.Path = path; o.KeyFile = keyFile; o.CreateIfMissing = true; }));
        Assert.Contains("is missing", e.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(path));
    }

    [Fact]
    public async Task A_store_given_up_on_purpose_by_deleting_the_marker_is_created_anew()
    {
        using var dir = new TempDirectory();
        string path = dir.File("app.amaks");
        string keyFile = dir.File("store.key");
        Secrets.WriteKeyFile(keyFile);
        await CreateWithKeyAsync(path, keyFile);
        File.Delete(path);
        File.Delete(path + ".created");

        using IHost host = Hosts.Build(o => { o.Path = path; o.KeyFile = keyFile; o.CreateIfMissing = true; });
        await host.StartAsync(Token);
        Assert.False(host.Services.GetRequiredService<SecureKeyStorage>().Contains("signing"));
        Assert.True(File.Exists(path + ".created"));
        await host.StopAsync(Token);
    }

    private static async Task CreateWithKeyAsync(string path, string keyFile)
    {
        using IHost host = Hosts.Build(o => { o.Path = path; o.KeyFile = keyFile; o.CreateIfMissing = true; });
        await host.StartAsync(Token);
        host.Services.GetRequiredService<SecureKeyStorage>().Store("signing", Secrets.NewKey());
        await host.StopAsync(Token);
    }
}
