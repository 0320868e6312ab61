using System.Diagnostics;
using System.Runtime.Versioning;
using Ama.Cryptography.Hosting.Tests.Infrastructure;
using Ama.Cryptography.KeyManagement;
using Ama.Cryptography.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Ama.Cryptography.Hosting.Tests;

/// <summary>An outsider's configuration: a store reached through a symbolic link, characters no path may hold, a store path that is not a file.</summary>
public sealed class AttackHostingTests
{
    /// <summary>A uid no account and no other test uses: inotify instances are counted per uid, and the probe uses up all of them.</summary>
    private const int ProbeUid = 64977;

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_store_reached_through_a_symbolic_link_in_another_directory_is_still_refreshed_after_another_process_writes()
    {
        using var dir = new TempDirectory();
        string data = dir.File("data");
        string links = dir.File("links");
        Directory.CreateDirectory(data);
        Directory.CreateDirectory(links);
        string target = Path.Combine(data, "keys.amaks");
        string link = Path.Combine(links, "keys.amaks");
        string keyFile = dir.File("store.key");
        byte[] key = Secrets.WriteKeyFile(keyFile);
        using (var credential = KeyStoreCredential.FromKey(key))
        {
            SecureKeyStorage.Create(target, credential).Dispose();
        }

        File.CreateSymbolicLink(link, target);
        using IHost host = Hosts.Build(o => { o.Path = link; o.KeyFile = keyFile; });
        await host.StartAsync(Token);
        var storage = host.Services.GetRequiredService<SecureKeyStorage>();

        using (var credential = KeyStoreCredential.FromKey(key))
        using (var other = SecureKeyStorage.Open(link, credential))
        {
            other.Store("written-elsewhere", Secrets.NewKey());
        }

        // The write went through the link: the link is still a link, and the file it names changed.
        Assert.NotNull(new FileInfo(link).LinkTarget);
        Assert.True(await Eventually.TrueAsync(() => storage.Contains("written-elsewhere"), TimeSpan.FromSeconds(3)),
            "The host's storage did not see a write made through its symbolic link: the watcher watches the link's directory, where nothing changes.");

        // Control: a write straight to the target is seen too, and an explicit Refresh agrees.
        using (var credential = KeyStoreCredential.FromKey(key))
        using (var other = SecureKeyStorage.Open(target, credential))
        {
            other.Store("written-to-target", Secrets.NewKey());
        }

        Assert.True(await Eventually.TrueAsync(() => storage.Contains("written-to-target"), TimeSpan.FromSeconds(3)));
        await host.StopAsync(Token);
    }

    [Theory]
    [InlineData(nameof(SecureKeyStorageOptions.Path))]
    [InlineData(nameof(SecureKeyStorageOptions.KeyFile))]
    [InlineData(nameof(SecureKeyStorageOptions.PasswordFile))]
    public async Task A_path_with_a_NUL_character_fails_validation_naming_the_option(string option)
    {
        using var dir = new TempDirectory();
        string keyFile = dir.File("store.key");
        Secrets.WriteKeyFile(keyFile);
        string bad = dir.File("bad\0name");
        Exception e = await Hosts.StartFailingAsync(Hosts.Build(o =>
        {
            o.Path = option == nameof(SecureKeyStorageOptions.Path) ? bad : dir.File("s.amaks");
            o.CreateIfMissing = true;
            switch (option)
            {
                case nameof(SecureKeyStorageOptions.PasswordFile):
                    o.PasswordFile = bad;
                    break;
                case nameof(SecureKeyStorageOptions.KeyFile):
                    o.KeyFile = bad;
                    break;
                default:
                    o.KeyFile = keyFile;
                    break;
            }
        }));
        Assert.IsType<OptionsValidationException>(e);
        Assert.Contains("SecureKeyStorageOptions." + option, e.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(dir.Path, "s.amaks*"));
    }

    [Fact]
    public async Task A_store_path_that_is_a_FIFO_fails_at_start_without_hanging_and_names_the_path()
    {
        using var dir = new TempDirectory();
        string fifo = dir.File("s.amaks");
        string keyFile = dir.File("store.key");
        Secrets.WriteKeyFile(keyFile);
        Tools.RequireThat(OperatingSystem.IsLinux() || OperatingSystem.IsMacOS(), "mkfifo needs a Unix system");
        using (var mkfifo = Process.Start(new ProcessStartInfo("mkfifo", [fifo]) { UseShellExecute = false })!)
        {
            await mkfifo.WaitForExitAsync(Token);
            Assert.Equal(0, mkfifo.ExitCode);
        }

        using IHost host = Hosts.Build(o => { o.Path = fifo; o.KeyFile = keyFile; o.CreateIfMissing = true; });
        Task<Exception?> start = Record.ExceptionAsync(() => host.StartAsync(Token)).AsTask();
        Assert.Same(start, await Task.WhenAny(start, Task.Delay(TimeSpan.FromSeconds(10), Token)));
        Exception? e = await start;
        Assert.IsType<KeyStoreException>(e);
        Assert.Contains(fifo, e.Message, StringComparison.Ordinal);
    }

    /// <summary>
    /// A user that has used up its inotify instances (128 by default, often reached in containers;
    /// apps then set DOTNET_hostBuilder__reloadConfigOnChange=false) cannot watch the store file.
    /// The host must still start and serve: the watcher is a convenience, its failure a warning.
    /// </summary>
    [Fact]
    [SupportedOSPlatform("linux")]
    public async Task A_host_whose_user_has_no_inotify_instance_left_still_starts_with_its_key_store()
    {
        string? setpriv = Tools.Find("setpriv");
        Tools.RequireThat(setpriv is not null, "setpriv (util-linux) is installed");
        Tools.RequireThat(Environment.UserName == "root", "the tests run as root, so that they can drop to a uid of the probe's own");
        using var dir = new TempDirectory();
        string app = HealthCheckTests.CopyReadableByAll(AppContext.BaseDirectory, Path.Combine(dir.Path, "app"));
        string home = Directory.CreateDirectory(Path.Combine(dir.Path, "home")).FullName;
        string store = Directory.CreateDirectory(Path.Combine(dir.Path, "store")).FullName;
        File.SetUnixFileMode(dir.Path, (UnixFileMode)0b111_101_101);
        File.SetUnixFileMode(home, (UnixFileMode)0b111_111_111);
        string keyFile = Path.Combine(store, "store.key");
        Secrets.WriteKeyFile(keyFile);
        File.SetUnixFileMode(keyFile, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        await ChownAsync(ProbeUid, store, keyFile);
        string[] wrapper = [setpriv!, $"--reuid={ProbeUid}", $"--regid={ProbeUid}", "--clear-groups", "--inh-caps=-all"];
        var environment = new Dictionary<string, string?>
        {
            ["HOME"] = home,
            ["DOTNET_CLI_HOME"] = home,
            ["TMPDIR"] = home,
            ["AMA_PROBE_EXHAUST_INOTIFY"] = "1",
            ["Ama__KeyStore__Path"] = Path.Combine(store, "keys.amaks"),
            ["Ama__KeyStore__KeyFile"] = keyFile,
            ["Ama__KeyStore__CreateIfMissing"] = "true",
        };

        // Control: with the host's own configuration watcher on, the exhaustion stops the start, so it is real.
        var control = await Record.ExceptionAsync(async () => await (await ProbeProcess.StartAsync(app, environment, wrapper)).DisposeAsync());
        Assert.NotNull(control);
        Assert.Contains("inotify", control.Message, StringComparison.Ordinal);

        environment["DOTNET_hostBuilder__reloadConfigOnChange"] = "false";
        await using var probe = await ProbeProcess.StartAsync(app, environment, wrapper);
        Assert.True(File.Exists(Path.Combine(store, "keys.amaks")), "The key store was not created at start-up.");
    }

    private static async Task ChownAsync(int uid, params string[] paths)
    {
        using var chown = Process.Start(new ProcessStartInfo("chown", [$"{uid}:{uid}", .. paths]) { UseShellExecute = false })!;
        await chown.WaitForExitAsync(Token);
        Assert.Equal(0, chown.ExitCode);
    }

    [Fact]
    public async Task A_dangling_symbolic_link_as_Path_with_CreateIfMissing_creates_the_store_it_names_or_fails_naming_Path()
    {
        using var dir = new TempDirectory();
        string keyFile = dir.File("store.key");
        byte[] key = Secrets.WriteKeyFile(keyFile);
        string link = dir.File("keys.amaks");

        // Into a directory that exists: the store is created where the link points, and the link stays.
        Directory.CreateDirectory(dir.File("data"));
        string target = dir.File("data/keys.amaks");
        File.CreateSymbolicLink(link, target);
        using (IHost host = Hosts.Build(o => { o.Path = link; o.KeyFile = keyFile; o.CreateIfMissing = true; }))
        {
            await host.StartAsync(Token);
            host.Services.GetRequiredService<SecureKeyStorage>().Store("k", Secrets.NewKey());
            await host.StopAsync(Token);
        }

        Assert.NotNull(new FileInfo(link).LinkTarget);
        using (var credential = KeyStoreCredential.FromKey(key))
        using (var opened = SecureKeyStorage.Open(target, credential))
        {
            Assert.True(opened.Contains("k"));
        }

        // Into a directory that does not exist: a validation error naming Path, not an I/O exception from deep inside.
        string orphan = dir.File("orphan.amaks");
        File.CreateSymbolicLink(orphan, dir.File("missing/keys.amaks"));
        Exception e = await Hosts.StartFailingAsync(Hosts.Build(o => { o.Path = orphan; o.KeyFile = keyFile; o.CreateIfMissing = true; }));
        Assert.IsType<OptionsValidationException>(e);
        Assert.Contains("SecureKeyStorageOptions.Path", e.Message, StringComparison.Ordinal);
        Assert.Contains(dir.File("missing/keys.amaks"), e.Message, StringComparison.Ordinal);

        // And without CreateIfMissing, a dangling link is a missing store, named by the file it points at.
        e = await Hosts.StartFailingAsync(Hosts.Build(o => { o.Path = orphan; o.KeyFile = keyFile; }));
        Assert.IsType<OptionsValidationException>(e);
        Assert.Contains("does not exist", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Many_threads_resolving_the_storage_at_once_before_start_share_one_instance_and_create_one_store()
    {
        using var dir = new TempDirectory();
        string path = dir.File("s.amaks");
        string keyFile = dir.File("store.key");
        Secrets.WriteKeyFile(keyFile);
        using IHost host = Hosts.Build(o => { o.Path = path; o.KeyFile = keyFile; o.CreateIfMissing = true; });
        using var start = new Barrier(16);
        SecureKeyStorage[] resolved = await Task.WhenAll(Enumerable.Range(0, 16).Select(_ => Task.Run(() =>
        {
            start.SignalAndWait(Token);
            return host.Services.GetRequiredService<SecureKeyStorage>();
        }, Token)));
        Assert.All(resolved, s => Assert.Same(resolved[0], s));
        resolved[0].Store("k", Secrets.NewKey());
        await host.StartAsync(Token);
        Assert.Same(resolved[0], host.Services.GetRequiredService<SecureKeyStorage>());
        Assert.Equal(["s.amaks", "s.amaks.created", "s.amaks.lock", "store.key"], Directory.GetFiles(dir.Path).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        await host.StopAsync(Token);
    }

    /// <summary>A host disposed while its start is still deriving the password's key: the start ends, nothing is left open, and the file is not written.</summary>
    [Fact]
    public async Task A_host_disposed_while_it_opens_a_password_store_ends_cleanly_and_leaves_the_file_as_it_was()
    {
        using var dir = new TempDirectory();
        string path = dir.File("s.amaks");
        string passwordFile = dir.File("password");
        string password = Secrets.NewPassword();
        Secrets.WritePasswordFile(passwordFile, password + "\n");
        var kdf = KeyStoreKdf.Argon2id(KeyStoreKdf.DefaultArgon2MemoryKiB, 2);
        using (var credential = KeyStoreCredential.FromPassword(password.ToCharArray(), kdf))
        using (var created = SecureKeyStorage.Create(path, credential))
        {
            created.Store("k", Secrets.NewKey());
        }

        byte[] before = File.ReadAllBytes(path);
        for (int round = 0; round < 4; round++)
        {
            var logs = new CapturingLoggerProvider();
            IHost host = Hosts.Build(o => { o.Path = path; o.PasswordFile = passwordFile; }, logs);
            Task starting = Task.Run(() => host.StartAsync(Token), Token);
            await Task.Delay(20 * round, Token);
            Task stopping = Task.Run(host.Dispose, Token);
            Task all = Task.WhenAll(Task.WhenAny(starting), stopping);
            Assert.Same(all, await Task.WhenAny(all, Task.Delay(TimeSpan.FromSeconds(30), Token)));
            if (starting.IsFaulted)
            {
                Assert.IsType<ObjectDisposedException>(starting.Exception!.GetBaseException());
            }

            Assert.Equal(before, File.ReadAllBytes(path));
            Secrets.AssertNoneContains([.. logs.Lines, starting.Exception?.ToString() ?? "no exception"], [password]);
        }

        // Control: the same options open the store when the host is left to start.
        using IHost control = Hosts.Build(o => { o.Path = path; o.PasswordFile = passwordFile; });
        await control.StartAsync(Token);
        Assert.True(control.Services.GetRequiredService<SecureKeyStorage>().Contains("k"));
        await control.StopAsync(Token);
    }
}
