using Ama.Cryptography.KeyManagement;
using static Ama.Cryptography.Tests.KeyManagement.KeyStoreTestSupport;

namespace Ama.Cryptography.Tests.KeyManagement;

/// <summary>
/// Damage is sticky: an instance that has found its store damaged refuses every later write and
/// Refresh with <see cref="KeyStoreDamagedException"/>, even once the file looks fine again, and
/// writes nothing; what it had authenticated stays readable, and opening the store again is the way
/// back. A store file replaced by another store is damage for the instance that had it open.
/// </summary>
public sealed class DamagedInstanceTests : IDisposable
{
    private readonly TempKeyStoreDirectory dir = new();
    private readonly byte[] key = RandomKey();

    public void Dispose() => dir.Dispose();

    [Fact]
    public void An_instance_that_found_a_rollback_refuses_writes_even_after_the_newest_file_is_back()
    {
        using var storage = CreateWithKey(dir.File(), key);
        storage.Store("alpha", [1]);
        byte[] older = File.ReadAllBytes(dir.File());
        storage.Store("alpha", [2]);
        byte[] newest = File.ReadAllBytes(dir.File());

        File.WriteAllBytes(dir.File(), older);
        var found = Assert.Throws<KeyStoreDamagedException>(storage.Refresh);
        Assert.Contains("rolled back", found.Message, StringComparison.Ordinal);

        // The newest file is back, so nothing is wrong with the file now; the instance still refuses.
        File.WriteAllBytes(dir.File(), newest);
        AssertRefusesEveryWrite(storage, "rolled back");
        Assert.Equal(newest, File.ReadAllBytes(dir.File()));

        // What it had authenticated is still served, and a new instance writes as usual.
        Assert.Equal([2], RetrieveBytes(storage, "alpha"));
        using var reopened = OpenWithKey(dir.File(), key);
        reopened.Store("alpha", [3]);
        Assert.Equal([3], RetrieveBytes(reopened, "alpha"));
    }

    [Fact]
    public void A_store_file_copied_over_another_is_damage_for_the_instance_that_had_it_open()
    {
        using (var other = CreateWithKey(dir.File("other.amaks"), key))
        {
            other.Store("other-key", [7]);
            other.Store("other-key", [8]);
        }

        using var storage = CreateWithKey(dir.File(), key);
        storage.Store("mine", [1]);
        File.Copy(dir.File("other.amaks"), dir.File(), overwrite: true);
        byte[] copied = File.ReadAllBytes(dir.File());

        var found = Assert.Throws<KeyStoreDamagedException>(storage.Refresh);
        Assert.Contains("no longer the store that was opened", found.Message, StringComparison.Ordinal);
        AssertRefusesEveryWrite(storage, "no longer the store that was opened");
        Assert.Equal(copied, File.ReadAllBytes(dir.File()));

        // The documented limit (docs/threat-model.md): a file's path is not bound, so a process that
        // never had this store open cannot tell the copy from the store that was there; it opens the other store.
        using var fresh = OpenWithKey(dir.File(), key);
        Assert.Equal(["other-key"], fresh.ListKeys());
    }

    [Fact]
    public void A_store_file_copied_over_another_is_damage_for_a_writer_that_had_not_refreshed()
    {
        using (CreateWithKey(dir.File("other.amaks"), key))
        {
        }

        using var storage = CreateWithKey(dir.File(), key);
        storage.Store("mine", [1]);
        File.Copy(dir.File("other.amaks"), dir.File(), overwrite: true);
        byte[] copied = File.ReadAllBytes(dir.File());
        Assert.Throws<KeyStoreDamagedException>(() => storage.Store("mine", [2]));
        AssertRefusesEveryWrite(storage, "no longer the store that was opened");
        Assert.Equal(copied, File.ReadAllBytes(dir.File()));
    }

    [Fact]
    public void Every_flipped_byte_an_instance_finds_leaves_it_refusing_writes()
    {
        byte[] original;
        using (var seed = CreateWithKey(dir.File(), key))
        using (var batch = seed.BeginBatch())
        {
            batch.Store("alpha", [1, 2, 3], new Dictionary<string, string> { ["m"] = "v" });
            batch.Store("beta", [4]);
            batch.Commit();
        }

        original = File.ReadAllBytes(dir.File());
        for (int i = 0; i < original.Length; i++)
        {
            File.WriteAllBytes(dir.File(), original);
            using var storage = OpenWithKey(dir.File(), key);
            byte[] tampered = (byte[])original.Clone();
            tampered[i] ^= 0x01;
            File.WriteAllBytes(dir.File(), tampered);
            Assert.Throws<KeyStoreDamagedException>(storage.Refresh);

            // Put the good file back: the instance has seen damage, and that is what counts.
            File.WriteAllBytes(dir.File(), original);
            var refused = Assert.Throws<KeyStoreDamagedException>(() => storage.Store("gamma", [5]));
            Assert.Contains("found the key store", refused.Message, StringComparison.Ordinal);
            Assert.Equal(original, File.ReadAllBytes(dir.File()));
        }
    }

    [Fact]
    public void An_in_memory_storage_is_not_made_read_only_by_a_damaged_entry()
    {
        // An in-memory storage has no store to open again, so damage is not remembered there.
        using var storage = new SecureKeyStorage(RandomKey());
        storage.Store("alpha", [1]);
        storage.Store("beta", [2]);
        var state = storage.StateForTests;
        var (alpha, beta) = (state.Entries["alpha"], state.Entries["beta"]);
        state.Entries.Set(Renamed(beta, "alpha"));
        state.Entries.Set(Renamed(alpha, "beta"));
        Assert.Throws<KeyStoreDamagedException>(() => storage.Retrieve("alpha"));
        storage.Store("gamma", [3]);
        Assert.Equal([3], RetrieveBytes(storage, "gamma"));
    }

    private static KeyEntry Renamed(KeyEntry entry, string name)
    {
        var copy = new KeyEntry(name) { NextVersion = entry.NextVersion };
        copy.Versions.AddRange(entry.Versions);
        return copy;
    }

    /// <summary>Every write and Refresh is refused with damage that says what was found; Store, Delete, batch, rotation, re-keying.</summary>
    private static void AssertRefusesEveryWrite(SecureKeyStorage storage, string found)
    {
        using var newCredential = KeyStoreCredential.FromKey(RandomKey());
        Action[] writes =
        [
            () => storage.Store("new", [9]),
            () => storage.Delete("alpha"),
            () => storage.DestroyVersion("alpha", 1),
            () =>
            {
                using var batch = storage.BeginBatch();
                batch.Store("new", [9]);
                batch.Commit();
            },
            storage.RotateDataKey,
            () => storage.ChangeCredential(newCredential),
            storage.Refresh,
        ];
        foreach (var write in writes)
        {
            var e = Assert.Throws<KeyStoreDamagedException>(write);
            Assert.Contains("found the key store", e.Message, StringComparison.Ordinal);
            Assert.Contains(found, e.Message, StringComparison.Ordinal);
        }
    }
}
