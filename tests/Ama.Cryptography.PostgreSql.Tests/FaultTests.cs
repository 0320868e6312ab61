using System.Diagnostics;
using Ama.Cryptography.KeyManagement;
using Ama.Cryptography.PostgreSql.Tests.Infrastructure;
using Npgsql;

namespace Ama.Cryptography.PostgreSql.Tests;

/// <summary>
/// Writers killed, the server crashed and stopped under them, on private clusters: every
/// acknowledged write survives and the store always opens.
/// </summary>
[Collection(ProcessHeavy.Name)]
public sealed class FaultTests
{
    private const int KillTrials = 50;
    private const int KillBatch = 10;
    private const int RestartTrials = 10;

    [Fact]
    public async Task A_writer_killed_at_a_random_moment_loses_no_acknowledged_write_and_the_store_opens()
    {
        using var server = PostgresServer.StartPrivate();
        int killedAfterAck = 0;
        int totalAcks = 0;
        for (int batch = 0; batch < KillTrials / KillBatch; batch++)
        {
            var trials = Enumerable.Range(0, KillBatch).Select(_ => Task.Run(() => KillTrialAsync(server))).ToArray();
            foreach (var (afterAck, acks) in await Task.WhenAll(trials))
            {
                killedAfterAck += afterAck ? 1 : 0;
                totalAcks += acks;
            }
        }

        TestContext.Current.SendDiagnosticMessage($"{KillTrials} kills, {killedAfterAck} after the first ack, {totalAcks} acknowledged writes checked");
        Assert.True(totalAcks > 0, "no trial acknowledged a write before its kill: the kills test nothing");
    }

    [Fact]
    public void Restarting_the_server_immediately_during_writes_loses_no_acknowledged_write()
    {
        using var server = PostgresServer.StartPrivate();
        var (name, key) = CreateStore(server);
        using var writer = PostgresProbe.Write(server.ConnectionString, name, key, "r", 1_000_000);
        int before = 0;
        for (int trial = 0; trial < RestartTrials; trial++)
        {
            WaitForAcks(writer, before + 3);
            server.RestartImmediate();
            var acknowledged = writer.Acknowledged;
            AssertPresent(server, name, key, acknowledged);
            before = acknowledged.Count;
        }

        // The writer recovered from the last restart too: its failed writes were retried.
        WaitForAcks(writer, before + 3);
        writer.Kill();
        AssertPresent(server, name, key, writer.Acknowledged);
        Assert.Contains("retry", writer.Transcript, StringComparison.Ordinal);
        TestContext.Current.SendDiagnosticMessage($"{RestartTrials} restarts, {writer.Acknowledged.Count} acknowledged writes all present");
    }

    [Fact]
    public void A_writer_waiting_for_the_lock_when_the_server_stops_fails_clearly_and_soon()
    {
        using var server = PostgresServer.StartPrivate();
        var (name, key) = CreateStore(server);
        using var dataSource = server.CreateDataSource();
        using var credential = TestStores.Credential(key);
        using var storage = PostgreSqlKeyStorage.Open(dataSource, name, credential);

        using var holder = new NpgsqlConnection(server.ConnectionString + ";Pooling=false");
        holder.Open();
        using var transaction = holder.BeginTransaction();
        using (var lockRow = new NpgsqlCommand("SELECT 1 FROM ama.key_stores WHERE store_name = $1 FOR UPDATE", holder, transaction) { Parameters = { new() { Value = name } } })
        {
            lockRow.ExecuteScalar();
        }

        var store = Task.Run(() => storage.Store("waiting", PostgresProbe.ValueOf("waiting")));
        WaitUntil(() => server.Scalar<long>("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'") > 0, "the Store never waited for the row lock");
        Assert.False(store.IsCompleted);

        var clock = Stopwatch.StartNew();
        server.Stop();
        var error = Assert.ThrowsAny<KeyStoreException>(() => store.GetAwaiter().GetResult());
        clock.Stop();
        Assert.Contains(name, error.Message, StringComparison.Ordinal);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(15), $"the waiting Store failed only after {clock.Elapsed}");
        TestContext.Current.SendDiagnosticMessage($"waiting Store failed {clock.ElapsedMilliseconds} ms after the stop began: {error.Message}");

        server.Start();
        using var reopened = PostgreSqlKeyStorage.Open(dataSource, name, credential);
        Assert.Equal(1, reopened.Generation);
        Assert.False(reopened.Contains("waiting"));
        reopened.Store("after", PostgresProbe.ValueOf("after"));
    }

    private static async Task<(bool AfterAck, int Acks)> KillTrialAsync(PostgresServer server)
    {
        var (name, key) = CreateStore(server);
        bool afterAck = Random.Shared.Next(4) != 0;
        using var writer = PostgresProbe.Write(server.ConnectionString, name, key, "k", 100_000);
        if (afterAck)
        {
            await writer.FirstAck.WaitAsync(TimeSpan.FromSeconds(30));
        }

        await Task.Delay(Random.Shared.Next(0, 300));
        writer.Kill();
        var acknowledged = writer.Acknowledged;
        AssertPresent(server, name, key, acknowledged);
        return (afterAck, acknowledged.Count);
    }

    private static (string Name, byte[] Key) CreateStore(PostgresServer server)
    {
        string name = TestStores.NewName();
        byte[] key = TestStores.NewKey();
        using var dataSource = server.CreateDataSource();
        using var credential = TestStores.Credential(key);
        PostgreSqlKeyStorage.Create(dataSource, name, credential).Dispose();
        return (name, key);
    }

    /// <summary>Opens the store afresh (an unpooled source: the server may have restarted) and checks every acknowledged name.</summary>
    private static void AssertPresent(PostgresServer server, string name, byte[] key, IReadOnlyList<string> acknowledged)
    {
        using var dataSource = NpgsqlDataSource.Create(server.ConnectionString + ";Pooling=false");
        using var credential = TestStores.Credential(key);
        using var storage = PostgreSqlKeyStorage.Open(dataSource, name, credential);
        foreach (string acked in acknowledged)
        {
            Assert.True(storage.Contains(acked), $"acknowledged {acked} is missing from {name}");
            using var value = storage.Retrieve(acked);
            Assert.Equal(PostgresProbe.ValueOf(acked), value.Span.ToArray());
        }
    }

    private static void WaitForAcks(PostgresProbe writer, int count) =>
        WaitUntil(() => writer.Acknowledged.Count >= count || writer.HasExited, $"the writer did not reach {count} acks:\n{writer.Transcript}");

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
