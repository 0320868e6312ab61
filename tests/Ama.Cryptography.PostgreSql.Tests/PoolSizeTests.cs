using System.Diagnostics;
using Ama.Cryptography.KeyManagement;
using Ama.Cryptography.PostgreSql.Tests.Infrastructure;
using Npgsql;

namespace Ama.Cryptography.PostgreSql.Tests;

/// <summary>
/// Issue 19, finding 6: the storages on a data source keep one of its connections to listen, so a
/// pool of one connection can never write (every write used to wait for the pool's timeout and
/// fail). Such a data source is refused at once, naming the option; two connections are enough.
/// </summary>
public sealed class PoolSizeTests(PostgresServer server)
{
    private static readonly byte[] Material = [5, 4, 3];

    // The refusal must not wait for the pool: a connection wait would take the 30 s timeout set here.
    private static readonly TimeSpan Immediate = TimeSpan.FromSeconds(5);

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_pool_of_one_connection_is_refused_at_once_naming_Maximum_Pool_Size(bool async)
    {
        string name = TestStores.NewName();
        using var credential = TestStores.Credential(TestStores.NewKey());
        await using (var usable = server.CreateDataSource())
        {
            PostgreSqlKeyStorage.Create(usable, name, credential).Dispose();
        }

        var settings = new NpgsqlConnectionStringBuilder(server.ConnectionString) { MaxPoolSize = 1, Timeout = 30 };
        await using var dataSource = NpgsqlDataSource.Create(settings.ConnectionString);
        string another = TestStores.NewName();
        var clock = Stopwatch.StartNew();
        var errors = new List<ArgumentException>
        {
            async
                ? await Assert.ThrowsAsync<ArgumentException>(() => PostgreSqlKeyStorage.OpenAsync(dataSource, name, credential, TestContext.Current.CancellationToken))
                : Assert.Throws<ArgumentException>(() => PostgreSqlKeyStorage.Open(dataSource, name, credential)),
            async
                ? await Assert.ThrowsAsync<ArgumentException>(() => PostgreSqlKeyStorage.CreateAsync(dataSource, another, credential, TestContext.Current.CancellationToken))
                : Assert.Throws<ArgumentException>(() => PostgreSqlKeyStorage.Create(dataSource, another, credential)),
        };
        clock.Stop();

        foreach (var error in errors)
        {
            Assert.Contains("Maximum Pool Size=1", error.Message, StringComparison.Ordinal);
            Assert.Equal("dataSource", error.ParamName);
        }

        Assert.True(clock.Elapsed < Immediate, $"refusing the pool took {clock.Elapsed}");
        Assert.Equal(0L, server.Scalar<long>("SELECT count(*) FROM ama.key_stores WHERE store_name = $1", another));
        TestContext.Current.SendDiagnosticMessage($"refused in {clock.Elapsed.TotalMilliseconds:F1} ms: {errors[0].Message}");
    }

    [Fact]
    public void A_pool_of_two_connections_writes_while_the_listener_holds_one()
    {
        // Timeout 30 s: a write that had to wait for a connection would fail the 5 s bound below, not time out.
        var settings = new NpgsqlConnectionStringBuilder(server.ConnectionString) { MaxPoolSize = 2, Timeout = 30 };
        using var dataSource = NpgsqlDataSource.Create(settings.ConnectionString);
        string name = TestStores.NewName();
        using var credential = TestStores.Credential(TestStores.NewKey());
        using var first = PostgreSqlKeyStorage.Create(dataSource, name, credential);
        using var second = PostgreSqlKeyStorage.Open(dataSource, name, credential);

        // Readiness: the shared listener holds its connection once a commit reaches the other storage.
        first.Store("first", Material);
        Assert.True(Eventually.True(() => second.Contains("first"), TimeSpan.FromSeconds(30)), "the second storage never heard the first commit");

        var clock = Stopwatch.StartNew();
        for (int i = 0; i < 10; i++)
        {
            second.Store("k" + i, Material);
            first.Store("j" + i, Material);
        }

        Assert.True(clock.Elapsed < Immediate, $"20 writes on a pool of two took {clock.Elapsed}");
        Assert.True(Eventually.True(() => first.Contains("k9") && second.Contains("j9"), TimeSpan.FromSeconds(30)), "the storages did not see each other's writes");
    }

    [Fact]
    public void An_unpooled_data_source_has_no_pool_to_exhaust_and_is_accepted()
    {
        var settings = new NpgsqlConnectionStringBuilder(server.ConnectionString) { Pooling = false, MaxPoolSize = 1 };
        using var dataSource = NpgsqlDataSource.Create(settings.ConnectionString);
        string name = TestStores.NewName();
        using var credential = TestStores.Credential(TestStores.NewKey());
        using var storage = PostgreSqlKeyStorage.Create(dataSource, name, credential);
        storage.Store("k", Material);
        using var reopened = PostgreSqlKeyStorage.Open(dataSource, name, credential);
        Assert.True(reopened.Contains("k"));
    }
}
