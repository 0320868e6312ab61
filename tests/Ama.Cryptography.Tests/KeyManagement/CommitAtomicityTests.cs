using System.Collections.Concurrent;
using System.Diagnostics;
using System.Security.Cryptography;
using Ama.Cryptography.KeyManagement;
using Ama.Cryptography.Tests.Infrastructure;
using static Ama.Cryptography.Tests.KeyManagement.KeyStoreTestSupport;

namespace Ama.Cryptography.Tests.KeyManagement;

/// <summary>A change is all or nothing: a failed commit leaves no trace in memory or on disk, and does not lower the rollback floor.</summary>
public sealed class CommitAtomicityTests : IDisposable
{
    private readonly TempKeyStoreDirectory dir = new();
    private readonly byte[] key = RandomKey();

    public void Dispose() => dir.Dispose();

    public static TheoryData<bool> InMemoryAndFile => new() { true, false };

    [Theory]
    [MemberData(nameof(InMemoryAndFile))]
    public void A_failed_batch_stores_nothing_and_deletes_nothing(bool inMemory)
    {
        using var storage = inMemory ? new SecureKeyStorage(RandomKey()) : CreateWithKey(dir.File(), key);
        storage.Store("keep", [1]);
        FillToMaxVersions(storage, "full");
        long generation = storage.Generation;

        using (var batch = storage.BeginBatch())
        {
            batch.Delete("keep");
            batch.Store("x", [2]);
            batch.DestroyVersion("full", 1);
            batch.Store("full", [3]); // one version too many: a 65,535th remains, so this fails
            batch.Store("full", [4]);
            Assert.Throws<KeyStoreException>(batch.Commit);
        }

        Assert.Equal(["full", "keep"], storage.ListKeys());
        Assert.Equal([1], RetrieveBytes(storage, "keep"));
        Assert.Equal(ushort.MaxValue, storage.ListVersions("full").Count);
        Assert.Equal(1, storage.ListVersions("full")[0].Version);
        Assert.Equal(generation, storage.Generation);
        Assert.Equal(1, storage.Store("x", [5])); // the failed batch never created "x"
    }

    [Fact]
    public void A_failed_commit_does_not_lower_the_rollback_floor()
    {
        Tools.RequireThat(Environment.IsPrivilegedProcess, "the tests run as root (to mount a small tmpfs)");
        string mount = Path.Combine(dir.Path, "small-disk");
        Directory.CreateDirectory(mount);
        Tools.RequireThat(Run("mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", mount) == 0, "a tmpfs can be mounted");
        try
        {
            string path = Path.Combine(mount, "store.amaks");
            using var storage = CreateWithKey(path, key);
            storage.Store("k", [2]);
            byte[] generation2 = File.ReadAllBytes(path);
            storage.Store("k", [3]);
            storage.Store("k", [4]);
            storage.Store("k", [5]);
            Assert.Equal(5, storage.Generation);

            FillDisk(Path.Combine(mount, "filler"));
            Assert.ThrowsAny<IOException>(() => storage.Store("k", RandomNumberGenerator.GetBytes(64 * 1024)));
            File.Delete(Path.Combine(mount, "filler"));
            File.WriteAllBytes(path, generation2); // an attacker puts back an old, complete generation

            Assert.Equal(5, storage.Generation);
            Assert.Throws<KeyStoreDamagedException>(storage.Refresh);
            Assert.Equal([5], RetrieveBytes(storage, "k"));
            Assert.Throws<KeyStoreDamagedException>(() => storage.Store("k", [6]));
        }
        finally
        {
            _ = Run("umount", "-l", mount);
        }
    }

    [Fact]
    public void A_commit_refused_for_too_many_versions_does_not_lower_the_rollback_floor()
    {
        using var storage = CreateWithKey(dir.File(), key);
        storage.Store("k", [2]);
        byte[] generation2 = File.ReadAllBytes(dir.File());
        FillToMaxVersions(storage, "full");
        storage.Store("k", [4]);

        Assert.Throws<KeyStoreException>(() => storage.Store("full", [1]));
        File.WriteAllBytes(dir.File(), generation2);

        Assert.Equal(4, storage.Generation);
        Assert.Throws<KeyStoreDamagedException>(storage.Refresh);
        Assert.Equal([4], RetrieveBytes(storage, "k"));
    }

    [Theory]
    [MemberData(nameof(InMemoryAndFile))]
    public void RotateDataKey_keeps_every_creation_time(bool inMemory)
    {
        using var storage = inMemory ? new SecureKeyStorage(RandomKey()) : CreateWithKey(dir.File(), key);
        storage.Store("a", [1]);
        storage.Store("a", [2], new Dictionary<string, string> { ["alg"] = "x" });
        storage.Store("b", [3]);
        var before = storage.ListKeys().SelectMany(storage.ListVersions).Select(v => v.Created).ToList();
        Thread.Sleep(50);

        storage.RotateDataKey();

        Assert.Equal(before, storage.ListKeys().SelectMany(storage.ListVersions).Select(v => v.Created));
        Assert.Equal([2], RetrieveBytes(storage, "a"));
        if (!inMemory)
        {
            using var reopened = OpenWithKey(dir.File(), key);
            Assert.Equal(before, reopened.ListKeys().SelectMany(reopened.ListVersions).Select(v => v.Created));
        }
    }

    [Fact]
    public async Task Prefix_named_stores_in_one_directory_written_at_once_lose_no_write()
    {
        const int Writes = 300;
        string[] paths = [dir.File("app.amaks"), dir.File("app.amaks.eu")];
        foreach (string path in paths)
        {
            using (CreateWithKey(path, key))
            {
            }
        }

        var failures = new ConcurrentBag<string>();
        await Task.WhenAll(paths.Select(path => Task.Run(() =>
        {
            using var storage = OpenWithKey(path, key);
            for (int i = 0; i < Writes; i++)
            {
                try
                {
                    storage.Store($"k{i}", ValueFor($"k{i}"));
                }
                catch (Exception e) when (e is IOException or KeyStoreException)
                {
                    failures.Add($"{Path.GetFileName(path)} k{i}: {e.GetType().Name}: {e.Message}");
                }
            }
        })));

        Assert.Empty(failures);
        foreach (string path in paths)
        {
            using var storage = OpenWithKey(path, key);
            Assert.Equal(Writes, storage.ListKeys().Count);
        }
    }

    [Fact]
    public void Temp_file_names_belong_to_exactly_one_store()
    {
        string first = KeyStoreTempFiles.NewPath(dir.File("app.amaks"));
        string second = KeyStoreTempFiles.NewPath(dir.File("app.amaks.eu"));
        File.WriteAllText(first, string.Empty);
        File.WriteAllText(second, string.Empty);

        Assert.Equal([first], KeyStoreTempFiles.Existing(dir.File("app.amaks")));
        Assert.Equal([second], KeyStoreTempFiles.Existing(dir.File("app.amaks.eu")));
        Assert.Empty(KeyStoreTempFiles.Existing(dir.File("app")));
    }

    /// <summary>Gives <paramref name="name"/> the most versions a name can have, in one batch.</summary>
    private static void FillToMaxVersions(SecureKeyStorage storage, string name)
    {
        using var batch = storage.BeginBatch();
        for (int i = 0; i < ushort.MaxValue; i++)
        {
            batch.Store(name, []);
        }

        batch.Commit();
    }

    private static void FillDisk(string filler)
    {
        using var stream = new FileStream(filler, FileMode.CreateNew, FileAccess.Write);
        var block = new byte[4096];
        try
        {
            while (true)
            {
                stream.Write(block);
                stream.Flush();
            }
        }
        catch (IOException)
        {
            // ENOSPC: the disk is full.
        }
    }

    private static int Run(string tool, params string[] args)
    {
        var info = new ProcessStartInfo(tool) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (string arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        using var process = Process.Start(info)!;
        process.WaitForExit();
        return process.ExitCode;
    }
}
