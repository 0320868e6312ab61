using Ama.Cryptography.KeyManagement;
using Ama.Cryptography.PostgreSql.Tests.Infrastructure;

namespace Ama.Cryptography.PostgreSql.Tests;

/// <summary>PostgreSqlKeyStorage.OpenOrCreate(Async): opens what is there, creates what is not, and of racing creators exactly one creates.</summary>
[Collection(ProcessHeavy.Name)]
public sealed class OpenOrCreateTests(PostgresServer server)
{
    [Fact]
    public async Task Creates_a_missing_store_then_opens_it_sync_and_async()
    {
        using var dataSource = server.CreateDataSource();
        string name = TestStores.NewName();
        byte[] key = TestStores.NewKey();
        using var credential = TestStores.Credential(key);
        byte[] storeId;
        using (var created = PostgreSqlKeyStorage.OpenOrCreate(dataSource, name, credential))
        {
            created.Store("a", [1, 2]);
            storeId = created.StateForTests.StoreId;
        }

        using (var opened = PostgreSqlKeyStorage.OpenOrCreate(dataSource, name, credential))
        {
            Assert.Equal(storeId, opened.StateForTests.StoreId);
            using var a = opened.Retrieve("a");
            Assert.Equal([1, 2], a.Span.ToArray());
        }

        using var openedAsync = await PostgreSqlKeyStorage.OpenOrCreateAsync(dataSource, name, credential, TestContext.Current.CancellationToken);
        Assert.Equal(storeId, openedAsync.StateForTests.StoreId);
        Assert.Equal(2, openedAsync.Generation);

        string other = TestStores.NewName();
        using var createdAsync = await PostgreSqlKeyStorage.OpenOrCreateAsync(dataSource, other, credential, new PostgreSqlKeyStoreOptions(), TestContext.Current.CancellationToken);
        Assert.Empty(createdAsync.ListKeys());
        Assert.NotEqual(storeId, createdAsync.StateForTests.StoreId);
    }

    [Fact]
    public async Task A_wrong_credential_on_an_existing_store_fails_as_Open_does()
    {
        using var dataSource = server.CreateDataSource();
        string name = TestStores.NewName();
        using (var credential = TestStores.Credential(TestStores.NewKey()))
        using (var storage = PostgreSqlKeyStorage.Create(dataSource, name, credential))
        {
            storage.Store("a", [1]);
        }

        using var wrong = TestStores.Credential(TestStores.NewKey());
        var viaOpen = Assert.Throws<KeyStoreCredentialException>(() => PostgreSqlKeyStorage.Open(dataSource, name, wrong));
        var viaOpenOrCreate = Assert.Throws<KeyStoreCredentialException>(() => PostgreSqlKeyStorage.OpenOrCreate(dataSource, name, wrong));
        var viaAsync = await Assert.ThrowsAsync<KeyStoreCredentialException>(() => PostgreSqlKeyStorage.OpenOrCreateAsync(dataSource, name, wrong, TestContext.Current.CancellationToken));
        Assert.Equal(viaOpen.Message, viaOpenOrCreate.Message);
        Assert.Equal(viaOpen.Message, viaAsync.Message);
    }

    [Fact]
    public async Task Threads_racing_on_a_new_store_name_all_end_with_one_store_and_see_every_key()
    {
        const int Racers = 8;
        using var dataSource = server.CreateDataSource();
        string name = TestStores.NewName();
        byte[] key = TestStores.NewKey();
        using var start = new Barrier(Racers);
        var racers = Enumerable.Range(0, Racers).Select(i => Task.Factory.StartNew(
            () =>
            {
                using var credential = TestStores.Credential(key);
                start.SignalAndWait(TestContext.Current.CancellationToken);

                // Half of them through the asynchronous path: both decide the race with the same INSERT.
                var storage = i % 2 == 0
                    ? PostgreSqlKeyStorage.OpenOrCreate(dataSource, name, credential)
                    : PostgreSqlKeyStorage.OpenOrCreateAsync(dataSource, name, credential, TestContext.Current.CancellationToken).GetAwaiter().GetResult();
                storage.Store($"t{i}", PostgresProbe.ValueOf($"t{i}"));
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
                    using var value = storage.Retrieve($"t{i}");
                    Assert.Equal(PostgresProbe.ValueOf($"t{i}"), value.Span.ToArray());
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
    public void Processes_racing_on_a_new_store_name_all_end_with_one_store_and_see_every_key()
    {
        const int Racers = 3;
        const int WritesEach = 5;
        string name = TestStores.NewName();
        byte[] key = TestStores.NewKey();
        var probes = Enumerable.Range(0, Racers).Select(p => PostgresProbe.OpenOrCreateAndWrite(server.ConnectionString, name, key, $"p{p}", WritesEach)).ToList();
        try
        {
            foreach (var probe in probes)
            {
                Assert.True(probe.WaitForExit(TimeSpan.FromSeconds(90)), "a probe did not finish within 90 s");
                Assert.True(probe.ExitCode == 0, probe.Transcript);
                Assert.Equal(WritesEach, probe.Acknowledged.Count);
            }
        }
        finally
        {
            foreach (var probe in probes)
            {
                probe.Dispose();
            }
        }

        using var dataSource = server.CreateDataSource();
        using var credential = TestStores.Credential(key);
        using var storage = PostgreSqlKeyStorage.Open(dataSource, name, credential);
        Assert.Equal(Racers * WritesEach, storage.ListKeys().Count);
        foreach (string acknowledged in probes.SelectMany(p => p.Acknowledged))
        {
            using var value = storage.Retrieve(acknowledged);
            Assert.Equal(PostgresProbe.ValueOf(acknowledged), value.Span.ToArray());
        }

        // One creation plus one commit per write: no process created the store a second time.
        Assert.Equal(1 + (Racers * WritesEach), storage.Generation);
    }
}
