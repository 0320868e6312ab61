using Ama.Cryptography.KeyManagement;
using Ama.Cryptography.PostgreSql.Tests.Infrastructure;
using Npgsql;

namespace Ama.Cryptography.PostgreSql.Tests;

/// <summary>
/// A refresh set off by another instance's commit that cannot get a connection (the application's
/// pool is busy) is tried again, so the instance does not stay stale until some later commit.
/// </summary>
public sealed class RefreshRetryTests(PostgresServer server)
{
    private static readonly byte[] Material = [3, 1, 4];

    [Fact]
    public async Task A_refresh_that_found_the_pool_full_is_retried_once_a_connection_is_free()
    {
        // Two connections: the shared listening one, and one the application takes below.
        var small = new NpgsqlConnectionStringBuilder(server.ConnectionString) { MaxPoolSize = 2, Timeout = 1 };
        await using var busyPool = NpgsqlDataSource.Create(small.ConnectionString);
        await using var writerPool = server.CreateDataSource();
        string name = TestStores.NewName();
        using var credential = TestStores.Credential(TestStores.NewKey());
        using var writer = PostgreSqlKeyStorage.Create(writerPool, name, credential);
        using var reader = PostgreSqlKeyStorage.Open(busyPool, name, credential);

        // Readiness: the reader hears commits.
        writer.Store("first", Material);
        Assert.True(Eventually.True(() => reader.Contains("first"), TimeSpan.FromSeconds(30)), "the reader never heard the first commit");

        var held = await busyPool.OpenConnectionAsync(TestContext.Current.CancellationToken);
        writer.Store("second", Material);

        // While the application holds the pool's last connection, the refresh cannot run.
        await Task.Delay(TimeSpan.FromSeconds(2), TestContext.Current.CancellationToken);
        Assert.False(reader.Contains("second"));
        await held.DisposeAsync();

        // Once it is free again, a retry brings the commit in without another commit or an explicit Refresh.
        Assert.True(Eventually.True(() => reader.Contains("second"), TimeSpan.FromSeconds(20)), "the refresh that failed for want of a connection was never retried");
    }
}
