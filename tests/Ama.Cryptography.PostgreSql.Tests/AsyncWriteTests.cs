using Ama.Cryptography.KeyManagement;
using Ama.Cryptography.PostgreSql.Tests.Infrastructure;

namespace Ama.Cryptography.PostgreSql.Tests;

/// <summary>StoreAsync, DeleteAsync and RefreshAsync on a PostgreSQL store: the same results as the synchronous calls, and a cancelled call changes no row.</summary>
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
}
