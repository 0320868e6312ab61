using System.Diagnostics;
using System.Security.Cryptography;
using Ama.Cryptography.KeyManagement;
using Ama.Cryptography.PostgreSql.Tests.Infrastructure;
using Npgsql;

namespace Ama.Cryptography.PostgreSql.Tests;

/// <summary>A writer's connection killed by the server (pg_terminate_backend) while it waits for the store's row lock.</summary>
public sealed class AttackDroppedConnectionTests(PostgresServer server)
{
    private static readonly byte[] Material = [9, 8, 7];

    [Fact]
    public async Task A_writer_whose_connection_is_terminated_while_waiting_fails_at_once_and_the_next_write_succeeds()
    {
        string application = "ama-attack-drop-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6));
        var settings = new NpgsqlConnectionStringBuilder(server.ConnectionString) { ApplicationName = application };
        await using var dataSource = NpgsqlDataSource.Create(settings.ConnectionString);
        using var credential = TestStores.Credential(TestStores.NewKey());
        string name = TestStores.NewName();
        using var storage = PostgreSqlKeyStorage.Create(dataSource, name, credential);
        storage.Store("before", Material);

        // Another session holds the store's row lock, as a writer in another process would.
        await using var holderSource = server.CreateDataSource();
        await using (var holder = await holderSource.OpenConnectionAsync(TestContext.Current.CancellationToken))
        {
            await using var transaction = await holder.BeginTransactionAsync(TestContext.Current.CancellationToken);
            await using (var lockRow = new NpgsqlCommand("SELECT 1 FROM ama.key_stores WHERE store_name = $1 FOR UPDATE", holder) { Parameters = { new() { Value = name } } })
            {
                await lockRow.ExecuteNonQueryAsync(TestContext.Current.CancellationToken);
            }

            Task write = Task.Run(() => storage.Store("during", Material), TestContext.Current.CancellationToken);
            var clock = Stopwatch.StartNew();
            long terminated = 0;
            while (terminated == 0 && clock.Elapsed < TimeSpan.FromSeconds(10))
            {
                await Task.Delay(50, TestContext.Current.CancellationToken);
                terminated = server.Scalar<long>(
                    "SELECT count(*) FROM (SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1 AND wait_event_type = 'Lock') t", application);
            }

            Assert.True(terminated >= 1, "no writer was found waiting for the row lock"); // the check can fail
            clock.Restart();
            var error = await Assert.ThrowsAsync<KeyStoreException>(() => write);
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"the writer took {clock.Elapsed} to fail");
            Assert.Contains(name, error.Message, StringComparison.Ordinal);
            await transaction.RollbackAsync(TestContext.Current.CancellationToken);
        }

        // The storage recovers: the next write takes a fresh connection, and the failed one left nothing.
        storage.Store("after", Material);
        using var reopened = PostgreSqlKeyStorage.Open(dataSource, name, credential);
        Assert.Equal(["after", "before"], reopened.ListKeys());
    }
}
