using System.Diagnostics;
using Ama.Cryptography.KeyManagement;
using Ama.Cryptography.Tests.Infrastructure;
using static Ama.Cryptography.Tests.KeyManagement.KeyStoreTestSupport;

namespace Ama.Cryptography.Tests.KeyManagement;

/// <summary>What may stand at a store's path (docs/keystore-format.md, "What the path may be").</summary>
public sealed class KeyStorePathTests : IDisposable
{
    private readonly TempKeyStoreDirectory dir = new();
    private readonly byte[] key = RandomKey();

    public void Dispose() => dir.Dispose();

    [Fact]
    public void A_symlinked_store_is_followed_and_stays_a_link()
    {
        Directory.CreateDirectory(Path.Combine(dir.Path, "real"));
        string target = Path.Combine(dir.Path, "real", "target.amaks");
        string link = dir.File("link.amaks");
        File.CreateSymbolicLink(link, Path.Combine("real", "target.amaks"));
        using (CreateWithKey(target, key))
        {
        }

        using (var viaLink = OpenWithKey(link, key))
        {
            viaLink.Store("k", [7]);
            viaLink.RotateDataKey();
        }

        Assert.Equal(Path.Combine("real", "target.amaks"), new FileInfo(link).LinkTarget);
        using var direct = OpenWithKey(target, key);
        Assert.Equal([7], RetrieveBytes(direct, "k"));
        Assert.Equal(3, direct.Generation);
        Assert.False(File.Exists(link + ".lock"), "the writers' lock is taken next to the target");
        Assert.True(File.Exists(target + ".lock"));
    }

    [Fact]
    public void Create_through_a_dangling_link_creates_the_target()
    {
        string target = dir.File("target.amaks");
        string link = dir.File("link.amaks");
        File.CreateSymbolicLink(link, target);

        using (var storage = CreateWithKey(link, key))
        {
            storage.Store("k", [1]);
        }

        Assert.NotNull(new FileInfo(link).LinkTarget);
        using var direct = OpenWithKey(target, key);
        Assert.Equal([1], RetrieveBytes(direct, "k"));
    }

    [Fact]
    public async Task A_FIFO_is_refused_at_once()
    {
        string fifo = dir.File();
        Assert.Equal(0, Run(Tools.Require("mkfifo"), fifo));
        var open = Task.Run(() => OpenWithKey(fifo, key));
        try
        {
            var error = await Assert.ThrowsAsync<KeyStoreException>(() => open.WaitAsync(TimeSpan.FromSeconds(20), TestContext.Current.CancellationToken));
            Assert.Contains("a FIFO", error.Message, StringComparison.Ordinal);
            Assert.Throws<IOException>(() => CreateWithKey(fifo, key));
        }
        finally
        {
            if (!open.IsCompleted)
            {
                // A reader stuck in open(2) is released by a writer opening the other end.
                using var writer = new FileStream(fifo, FileMode.Open, FileAccess.Write);
            }
        }
    }

    [Fact]
    public void A_directory_is_refused_with_a_documented_exception()
    {
        string directory = dir.File("store.amaks");
        Directory.CreateDirectory(directory);

        var error = Assert.Throws<KeyStoreException>(() => OpenWithKey(directory, key));
        Assert.Contains("a directory", error.Message, StringComparison.Ordinal);
        var exists = Assert.Throws<IOException>(() => CreateWithKey(directory, key));
        Assert.Contains("already exists", exists.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(directory + ".lock"));
    }

    [Fact]
    public void A_write_by_root_keeps_the_owner_and_group_of_the_store()
    {
        Tools.RequireThat(Environment.IsPrivilegedProcess, "the tests run as root");
        string path = dir.File();
        using (var storage = CreateWithKey(path, key))
        {
            storage.Store("a", [1]);
        }

        Assert.Equal(0, Run(Tools.Require("chown"), "65534:65534", path, path + ".lock"));
        File.Delete(path + ".lock"); // root creates the lock file again on the next write

        using (var storage = OpenWithKey(path, key))
        {
            storage.Store("b", [2]);
            storage.RotateDataKey();
        }

        Assert.Equal("65534:65534 600", Stat(path));
        Assert.Equal("65534:65534 600", Stat(path + ".lock"));
    }

    [Fact]
    public void A_writer_that_may_not_keep_the_owner_writes_nothing()
    {
        Tools.RequireThat(Environment.IsPrivilegedProcess, "the tests run as root");
        string path = dir.File();
        using (var storage = CreateWithKey(path, key))
        {
            storage.Store("a", [1]);
        }

        Assert.Equal(0, Run(Tools.Require("chown"), "65534:65534", path));
        byte[] before = File.ReadAllBytes(path);

        // Root without CAP_CHOWN can still read and write the file, but cannot give a new file away.
        var (exitCode, stdout, stderr) = TestHost.Run(TestHost.StartInfo(
            "keystore-writer",
            [path, Convert.ToHexString(key), "b", "0", "1"],
            [Tools.Require("setpriv"), "--inh-caps=-chown", "--bounding-set=-chown", "--"]));

        Assert.NotEqual(0, exitCode);
        Assert.DoesNotContain("ack 0", stdout, StringComparison.Ordinal);
        Assert.Contains("uid 65534, gid 65534", stderr, StringComparison.Ordinal);
        Assert.Equal(before, File.ReadAllBytes(path));
        Assert.Equal("65534:65534 600", Stat(path));
    }

    [Fact]
    public void Readers_and_writers_go_on_while_another_process_holds_flock_on_the_store()
    {
        string path = dir.File();
        using (var storage = CreateWithKey(path, key))
        {
            storage.Store("a", [1]);
        }

        var info = new ProcessStartInfo(Tools.Require("flock")) { RedirectStandardOutput = true };
        foreach (string arg in new[] { "--exclusive", path, "-c", "echo held; exec sleep 120" })
        {
            info.ArgumentList.Add(arg);
        }

        using var holder = Process.Start(info)!;
        try
        {
            Assert.Equal("held", holder.StandardOutput.ReadLine());
            var watch = Stopwatch.StartNew();
            using var storage = OpenWithKey(path, key);
            Assert.Equal([1], RetrieveBytes(storage, "a"));
            storage.Store("b", [2]);
            storage.Refresh();
            // A writer that waited for the holder's flock would wait out the 30 s lock timeout and throw;
            // 15 s leaves a loaded machine room without letting such a wait pass.
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(15), $"took {watch.Elapsed}");
            Assert.False(holder.HasExited);
        }
        finally
        {
            holder.Kill();
            holder.WaitForExit();
        }
    }

    private static string Stat(string path)
    {
        var info = new ProcessStartInfo(Tools.Require("stat")) { RedirectStandardOutput = true };
        foreach (string arg in new[] { "-c", "%u:%g %a", path })
        {
            info.ArgumentList.Add(arg);
        }

        using var process = Process.Start(info)!;
        string output = process.StandardOutput.ReadToEnd().Trim();
        process.WaitForExit();
        return output;
    }

    private static int Run(string tool, params string[] args)
    {
        var info = new ProcessStartInfo(tool);
        foreach (string arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        using var process = Process.Start(info)!;
        process.WaitForExit();
        return process.ExitCode;
    }
}
