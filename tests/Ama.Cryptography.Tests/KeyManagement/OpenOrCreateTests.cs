using Ama.Cryptography.KeyManagement;
using Ama.Cryptography.Tests.Infrastructure;
using static Ama.Cryptography.Tests.KeyManagement.KeyStoreTestSupport;

namespace Ama.Cryptography.Tests.KeyManagement;

/// <summary>SecureKeyStorage.OpenOrCreate: opens what is there, creates what is not, and of racing creators exactly one creates.</summary>
public sealed class OpenOrCreateTests : IDisposable
{
    private readonly TempKeyStoreDirectory dir = new();
    private readonly byte[] key = RandomKey();

    public void Dispose() => dir.Dispose();

    [Fact]
    public void Creates_a_store_where_there_is_none_and_marks_it()
    {
        using (var storage = OpenOrCreate())
        {
            storage.Store("a", [1, 2, 3]);
        }

        Assert.True(File.Exists(dir.File() + ".created"));
        using var reopened = OpenWithKey(dir.File(), key);
        Assert.Equal([1, 2, 3], RetrieveBytes(reopened, "a"));
    }

    [Fact]
    public void Opens_an_existing_store_without_replacing_it()
    {
        byte[] storeId;
        using (var created = CreateWithKey(dir.File(), key))
        {
            created.Store("kept", [7]);
            storeId = created.StateForTests.StoreId;
        }

        using var storage = OpenOrCreate();
        Assert.Equal(storeId, storage.StateForTests.StoreId);
        Assert.Equal([7], RetrieveBytes(storage, "kept"));
        Assert.True(File.Exists(dir.File() + ".created"));
    }

    [Fact]
    public void A_wrong_credential_on_an_existing_store_fails_as_Open_does_and_leaves_the_file_untouched()
    {
        using (CreateWithKey(dir.File(), key))
        {
        }

        byte[] before = File.ReadAllBytes(dir.File());
        using var wrong = KeyStoreCredential.FromKey(RandomKey());
        var viaOpen = Assert.Throws<KeyStoreCredentialException>(() => SecureKeyStorage.Open(dir.File(), wrong));
        var viaOpenOrCreate = Assert.Throws<KeyStoreCredentialException>(() => SecureKeyStorage.OpenOrCreate(dir.File(), wrong));
        Assert.Equal(viaOpen.Message, viaOpenOrCreate.Message);
        Assert.Equal(before, File.ReadAllBytes(dir.File()));
    }

    [Fact]
    public void A_missing_store_whose_marker_is_there_is_not_created_again()
    {
        using (OpenOrCreate())
        {
        }

        File.Move(dir.File(), dir.File("moved-away.amaks"));
        var e = Assert.Throws<KeyStoreException>(OpenOrCreate);
        Assert.Contains(dir.File() + ".created", e.Message, StringComparison.Ordinal);
        Assert.Contains("Restore", e.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(dir.File()));

        // Control: deleting the marker is the deliberate way to start a new store there.
        File.Delete(dir.File() + ".created");
        using var fresh = OpenOrCreate();
        Assert.Empty(fresh.ListKeys());
    }

    /// <summary>
    /// The state a racing creator leaves between OpenOrCreate's "nothing at the path" and its marker check:
    /// the store and its marker both there. That is a store to open, not a missing one: a check of the marker
    /// alone would fail a creator that lost the race this way.
    /// </summary>
    [Fact]
    public void A_marker_beside_a_store_that_exists_is_not_taken_for_a_missing_store()
    {
        using (OpenOrCreate())
        {
        }

        KeyStoreCreatedMarker.ThrowIfStoreExisted(dir.File());

        // Control: without the store, the same check refuses.
        File.Delete(dir.File());
        Assert.Throws<KeyStoreException>(() => KeyStoreCreatedMarker.ThrowIfStoreExisted(dir.File()));
    }

    [Fact]
    public void A_directory_at_the_path_is_refused_and_nothing_is_created_beside_it()
    {
        Directory.CreateDirectory(dir.File());
        Assert.Throws<KeyStoreException>(OpenOrCreate);
        Assert.False(File.Exists(dir.File() + ".created"));
    }

    [Fact]
    public async Task Threads_racing_on_a_fresh_path_all_end_with_one_store_and_see_every_key()
    {
        const int Racers = 8;
        using var start = new Barrier(Racers);
        var racers = Enumerable.Range(0, Racers).Select(i => Task.Factory.StartNew(
            () =>
            {
                start.SignalAndWait(TestContext.Current.CancellationToken);
                var storage = OpenOrCreate();
                storage.Store($"t{i}", ValueFor($"t{i}"));
                return storage;
            },
            TestContext.Current.CancellationToken,
            TaskCreationOptions.LongRunning,
            TaskScheduler.Default)).ToArray();
        var storages = await Task.WhenAll(racers);
        try
        {
            Assert.Single(storages.Select(s => Convert.ToHexString(s.StateForTests.StoreId)).Distinct());
            foreach (var storage in storages)
            {
                storage.Refresh();
                for (int i = 0; i < Racers; i++)
                {
                    Assert.Equal(ValueFor($"t{i}"), RetrieveBytes(storage, $"t{i}"));
                }
            }
        }
        finally
        {
            foreach (var storage in storages)
            {
                storage.Dispose();
            }
        }
    }

    [Fact]
    public async Task Processes_racing_on_a_fresh_path_all_end_with_one_store_and_see_every_key()
    {
        const int Racers = 4;
        var runs = Enumerable.Range(0, Racers)
            .Select(i => TestHost.StartInfo("keystore-open-or-create", [dir.File(), Convert.ToHexString(key), $"p{i}"]))
            .Select(info => Task.Run(() => TestHost.Run(info, TimeSpan.FromMinutes(2)), TestContext.Current.CancellationToken))
            .ToArray();
        var ids = new List<string>();
        foreach (var (exitCode, stdout, stderr) in await Task.WhenAll(runs))
        {
            Assert.True(exitCode == 0, stderr);
            ids.Add(stdout.Split('\n').Single(line => line.StartsWith("id ", StringComparison.Ordinal))[3..].Trim());
        }

        using var storage = OpenWithKey(dir.File(), key);
        Assert.Single(ids.Distinct());
        Assert.Equal(ids[0], Convert.ToHexStringLower(storage.StateForTests.StoreId));
        for (int i = 0; i < Racers; i++)
        {
            Assert.Equal(ValueFor($"p{i}"), RetrieveBytes(storage, $"p{i}"));
        }

        // One creation plus one commit per process: no process created a second store over another's.
        Assert.Equal(1 + Racers, storage.Generation);
    }

    [Fact]
    public void Arguments_are_checked()
    {
        using var credential = KeyStoreCredential.FromKey(key);
        Assert.Throws<ArgumentNullException>(() => SecureKeyStorage.OpenOrCreate(null!, credential));
        Assert.Throws<ArgumentException>(() => SecureKeyStorage.OpenOrCreate(string.Empty, credential));
        Assert.Throws<ArgumentNullException>(() => SecureKeyStorage.OpenOrCreate(dir.File(), null!));
        Assert.False(File.Exists(dir.File()));
    }

    private SecureKeyStorage OpenOrCreate()
    {
        using var credential = KeyStoreCredential.FromKey(key);
        return SecureKeyStorage.OpenOrCreate(dir.File(), credential);
    }

}
