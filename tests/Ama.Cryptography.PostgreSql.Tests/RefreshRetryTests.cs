using System.Diagnostics.Metrics;
using System.Security.Cryptography;
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
        string poolName = "ama-refresh-retry-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6));
        await using var busyPool = new NpgsqlDataSourceBuilder(small.ConnectionString) { Name = poolName }.Build();
        using var timeouts = new PoolTimeouts(poolName);
        await using var writerPool = server.CreateDataSource();
        string name = TestStores.NewName();
        using var credential = TestStores.Credential(TestStores.NewKey());
        using var writer = PostgreSqlKeyStorage.Create(writerPool, name, credential);
        using var reader = PostgreSqlKeyStorage.Open(busyPool, name, credential);

        // Readiness: the reader hears commits.
        writer.Store("first", Material);
        Assert.True(Eventually.True(() => reader.Contains("first"), TimeSpan.FromSeconds(30)), "the reader never heard the first commit");

        var held = await busyPool.OpenConnectionAsync(TestContext.Current.CancellationToken);
        Assert.Equal(0, timeouts.Count);
        writer.Store("second", Material);

        // While the application holds the pool's last connection, the refresh cannot run. The connection is
        // released only once the refresh has asked for one and timed out (Npgsql counts it): a fixed pause
        // (2 s) let a loaded machine deliver the notification after the release, and then the first try
        // succeeded and the test passed without a retry.
        Assert.True(Eventually.True(() => timeouts.Count > 0, TimeSpan.FromSeconds(30)), "the refresh never asked the full pool for a connection");
        Assert.False(reader.Contains("second"));
        await held.DisposeAsync();

        // Once it is free again, a retry brings the commit in without another commit or an explicit Refresh.
        Assert.True(Eventually.True(() => reader.Contains("second"), TimeSpan.FromSeconds(20)), "the refresh that failed for want of a connection was never retried");
    }

    /// <summary>Counts the connection requests of one named data source that timed out waiting for the pool (Npgsql's metrics).</summary>
    private sealed class PoolTimeouts : IDisposable
    {
        private readonly MeterListener listener = new();
        private readonly string poolName;
        private int count;

        public PoolTimeouts(string poolName)
        {
            this.poolName = poolName;
            // "db.client.connection.npgsql.timeouts" in Npgsql 10, "db.client.connections.timeouts" before.
            listener.InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Name == "Npgsql" && instrument.Name.EndsWith(".timeouts", StringComparison.Ordinal))
                {
                    l.EnableMeasurementEvents(instrument);
                }
            };
            listener.SetMeasurementEventCallback<int>((instrument, value, tags, state) => Add(value, tags));
            listener.SetMeasurementEventCallback<long>((instrument, value, tags, state) => Add((int)value, tags));
            listener.Start();
        }

        public int Count => Volatile.Read(ref count);

        public void Dispose() => listener.Dispose();

        private void Add(int value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            foreach (KeyValuePair<string, object?> tag in tags)
            {
                if (tag.Key.EndsWith("pool.name", StringComparison.Ordinal) && Equals(tag.Value, poolName))
                {
                    Interlocked.Add(ref count, value);
                }
            }
        }
    }
}
