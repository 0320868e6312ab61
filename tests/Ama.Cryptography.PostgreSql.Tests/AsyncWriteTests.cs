using System.Diagnostics;
using Ama.Cryptography.KeyManagement;
using Ama.Cryptography.PostgreSql.Tests.Infrastructure;
using Npgsql;

namespace Ama.Cryptography.PostgreSql.Tests;

/// <summary>
/// StoreAsync, DeleteAsync and RefreshAsync on a PostgreSQL store: the same results as the synchronous calls, a
/// cancelled call changes no row, and a write that waits for another writer's row lock waits without a thread.
/// </summary>
public sealed class AsyncWriteTests(PostgresServer server)
{
    [Fact]
    public async Task Async_writes_land_in_the_database_and_another_instance_refreshes_to_them()
    {
        using var dataSource = server.CreateDataSource();
        string name = TestStores.NewName();
        using var credential = TestStores.Credential(TestStores.NewKey());
        using var writer = PostgreSqlKeyStorage.Create(dataSource, name, credential);
        using var reader = PostgreSqlKeyStorage.Open(dataSource, name, credential);

        byte[] material = PostgresProbe.ValueOf("a");
        Task<int> stored = writer.StoreAsync("a", material, TestContext.Current.CancellationToken);
        Array.Clear(material);
        Assert.Equal(1, await stored);
        Assert.Equal(1, await writer.StoreAsync("b", new byte[] { 2 }, TestContext.Current.CancellationToken));
        Assert.True(await writer.DeleteAsync("b", TestContext.Current.CancellationToken));

        await reader.RefreshAsync(TestContext.Current.CancellationToken);
        Assert.Equal(writer.Generation, reader.Generation);
        Assert.False(reader.Contains("b"));
        using var a = reader.Retrieve("a");
        Assert.Equal(PostgresProbe.ValueOf("a"), a.Span.ToArray());
    }

    [Fact]
    public async Task A_write_waiting_for_the_row_lock_returns_its_task_at_once_and_holds_up_no_reader()
    {
        // No command timeout and a long lock timeout: the write waits for as long as the test holds the lock.
        using var dataSource = NpgsqlDataSource.Create(server.ConnectionString + ";Command Timeout=0");
        string name = TestStores.NewName();
        using var credential = TestStores.Credential(TestStores.NewKey());
        var patient = new PostgreSqlKeyStoreOptions { LockTimeout = TimeSpan.FromMinutes(10) };
        using var storage = PostgreSqlKeyStorage.Create(dataSource, name, credential, patient);
        storage.Store("kept", [1]);

        await using var holder = new NpgsqlConnection(server.ConnectionString + ";Pooling=false");
        await holder.OpenAsync(TestContext.Current.CancellationToken);
        await using var transaction = await holder.BeginTransactionAsync(TestContext.Current.CancellationToken);
        await using (var lockRow = new NpgsqlCommand("SELECT 1 FROM ama.key_stores WHERE store_name = $1 FOR UPDATE", holder, transaction) { Parameters = { new() { Value = name } } })
        {
            await lockRow.ExecuteScalarAsync(TestContext.Current.CancellationToken);
        }

        // A synchronous write inside StoreAsync would keep the call itself from returning until the lock is free.
        Task<Task<int>> call = Task.Factory.StartNew(() => storage.StoreAsync("waiting", new byte[] { 2 }), TestContext.Current.CancellationToken, TaskCreationOptions.None, TaskScheduler.Default);
        WaitUntil(() => server.Scalar<long>("SELECT count(*) FROM pg_stat_activity WHERE $1 = ANY(pg_blocking_pids(pid))", holder.ProcessID) > 0, "the write never waited for the row lock");
        Task<int> pending = await call.WaitAsync(TimeSpan.FromMinutes(2), TestContext.Current.CancellationToken); // TimeoutException: StoreAsync blocked
        Assert.False(pending.IsCompleted);

        using (var kept = storage.Retrieve("kept"))
        {
            Assert.Equal([1], kept.Span.ToArray());
        }

        await transaction.RollbackAsync(TestContext.Current.CancellationToken);
        Assert.Equal(1, await pending);
        using var stored = storage.Retrieve("waiting");
        Assert.Equal([2], stored.Span.ToArray());
        Assert.Equal(3, storage.Generation);
    }

    [Fact]
    public async Task A_cancelled_async_write_changes_no_row()
    {
        using var dataSource = server.CreateDataSource();
        string name = TestStores.NewName();
        using var credential = TestStores.Credential(TestStores.NewKey());
        using var storage = PostgreSqlKeyStorage.Create(dataSource, name, credential);
        storage.Store("kept", [1]);
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => storage.StoreAsync("new", new byte[] { 1 }, cancelled.Token));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => storage.DeleteAsync("kept", cancelled.Token));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => storage.RefreshAsync(cancelled.Token));

        using var fresh = PostgreSqlKeyStorage.Open(dataSource, name, credential);
        Assert.Equal(2, fresh.Generation);
        Assert.Equal(["kept"], fresh.ListKeys());
    }

    private static void WaitUntil(Func<bool> condition, string failure)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(60), failure);
            Thread.Sleep(20);
        }
    }
}
