using System.Diagnostics;
using System.Globalization;
using Ama.Cryptography.KeyManagement;
using Ama.Cryptography.PostgreSql.Tests.Infrastructure;
using Npgsql;

namespace Ama.Cryptography.PostgreSql.Tests;

/// <summary>
/// Issue 19, finding 1: an acknowledged write must survive a crash whatever the server or the
/// role says about synchronous_commit. Four writer processes on a role with
/// <c>ALTER ROLE ... SET synchronous_commit = off</c>, killed with SIGKILL and the server restarted
/// with <c>pg_ctl restart -m immediate</c> under them, on a private cluster.
/// </summary>
[Collection(ProcessHeavy.Name)]
public sealed class SynchronousCommitTests
{
    private const int Writers = 4;
    private const int Rounds = 8;
    private const int AcksPerRound = 20;
    private const string Role = "ama_async_writer";

    // Only ends a failing run: on a loaded 2-core machine, four writer processes starting at once, or a
    // restart's crash recovery, have taken over 30 s.
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(120);

    [Fact]
    public void Writers_on_a_role_with_synchronous_commit_off_lose_no_acknowledged_write_across_kills_and_immediate_restarts()
    {
        using var server = PostgresServer.StartPrivate();

        // An asynchronous commit reaches the disk when the WAL writer next flushes: every wal_writer_delay
        // (200 ms by default) or once a WAL page is full. The longest delay the server allows (10 s) makes
        // the window in which an acknowledged commit can be lost as wide as this setting allows.
        server.Execute("ALTER SYSTEM SET wal_writer_delay = '10s'");
        server.Execute("SELECT pg_reload_conf()");
        string name = TestStores.NewName();
        byte[] key = TestStores.NewKey();
        using (var dataSource = server.CreateDataSource())
        using (var credential = TestStores.Credential(key))
        {
            PostgreSqlKeyStorage.Create(dataSource, name, credential).Dispose();
        }

        server.Execute($"CREATE ROLE {Role} LOGIN");
        server.Execute($"GRANT USAGE ON SCHEMA ama TO {Role}");
        server.Execute($"GRANT SELECT, INSERT, UPDATE, DELETE ON ama.key_stores, ama.key_entries TO {Role}");
        server.Execute($"ALTER ROLE {Role} SET synchronous_commit = off");
        string connectionString = new NpgsqlConnectionStringBuilder(server.ConnectionString) { Username = Role }.ConnectionString;

        // Controls: the role's sessions commit asynchronously unless a transaction says otherwise, and the server took the delay.
        Assert.Equal("off", Show(connectionString, "synchronous_commit"));
        Assert.Equal("10s", server.Scalar<string>("SHOW wal_writer_delay"));

        var all = new List<PostgresProbe>();
        var running = new List<PostgresProbe>();
        int started = 0;
        PostgresProbe StartWriter()
        {
            var writer = PostgresProbe.Write(connectionString, name, key, "w" + (started++).ToString(CultureInfo.InvariantCulture), 1_000_000);
            all.Add(writer);
            running.Add(writer);
            return writer;
        }

        try
        {
            for (int w = 0; w < Writers; w++)
            {
                StartWriter();
            }

            int restarts = 0;
            var rounds = new List<string>();
            var clock = Stopwatch.StartNew();
            for (int round = 0; round < Rounds; round++)
            {
                WaitForMoreAcks(all, running, rounds);
                rounds.Add($"acks {clock.ElapsedMilliseconds} ms");
                clock.Restart();
                if (round % 2 == 0)
                {
                    var victim = running[Random.Shared.Next(running.Count)];
                    victim.Kill();
                    running.Remove(victim);
                    StartWriter();
                }
                else
                {
                    server.RestartImmediate();
                    restarts++;
                    rounds.Add($"restart {clock.ElapsedMilliseconds} ms");
                    clock.Restart();
                    AssertPresent(server, name, key, all);
                }

                rounds.Add((round % 2 == 0 ? "kill " : "check ") + clock.ElapsedMilliseconds.ToString(CultureInfo.InvariantCulture) + " ms");
                clock.Restart();
            }

            // The writers recovered from the last restart too: their failed writes were retried.
            WaitForMoreAcks(all, running, rounds);
            foreach (var writer in running)
            {
                writer.Kill();
            }

            AssertPresent(server, name, key, all);
            foreach (var writer in all)
            {
                // A writer that found the store rolled back (a lost commit it had seen) gives up with "fail".
                Assert.DoesNotContain("fail ", writer.Transcript, StringComparison.Ordinal);
            }

            TestContext.Current.SendDiagnosticMessage(
                $"{all.Count} writers ({all.Count - Writers} started after a kill), {restarts} immediate restarts, {all.Sum(w => w.Acknowledged.Count)} acknowledged writes all present; rounds: {string.Join(", ", rounds)}; retries: " +
                string.Join("; ", all.SelectMany(w => w.Transcript.Split('\n')).Where(l => l.StartsWith("retry ", StringComparison.Ordinal)).Select(l => l[(l.IndexOf(':', StringComparison.Ordinal) + 1)..]).GroupBy(l => l).Select(g => $"{g.Count()} x{g.Key}")));
        }
        finally
        {
            foreach (var writer in all)
            {
                writer.Dispose();
            }
        }
    }

    private static string? Show(string connectionString, string setting)
    {
        using var connection = new NpgsqlConnection(connectionString + ";Pooling=false");
        connection.Open();
        using var command = new NpgsqlCommand("SELECT current_setting($1)", connection) { Parameters = { new() { Value = setting } } };
        return command.ExecuteScalar() as string;
    }

    /// <summary>Waits until the writers acknowledged <see cref="AcksPerRound"/> more writes: the store is being written when the next fault hits.</summary>
    private static void WaitForMoreAcks(List<PostgresProbe> all, List<PostgresProbe> running, List<string> rounds)
    {
        int target = all.Sum(w => w.Acknowledged.Count) + AcksPerRound;
        var clock = Stopwatch.StartNew();
        while (all.Sum(w => w.Acknowledged.Count) < target)
        {
            var stopped = running.FirstOrDefault(w => w.HasExited);
            Assert.True(stopped is null, "a writer stopped:\n" + stopped?.Transcript);
            Assert.True(
                clock.Elapsed < Patience,
                $"the writers did not acknowledge {AcksPerRound} writes within {Patience} (rounds so far: {string.Join(", ", rounds)}); their last lines:\n" +
                string.Join("\n", running.Select(w => string.Join('\n', w.Transcript.Split('\n').TakeLast(4)))));
            Thread.Sleep(20);
        }
    }

    /// <summary>Opens the store afresh (unpooled: the server may have restarted) and checks every write any writer acknowledged before it opened.</summary>
    private static void AssertPresent(PostgresServer server, string name, byte[] key, List<PostgresProbe> writers)
    {
        // Taken before the store is read: the writers go on writing, and what they acknowledge later is not in what is read.
        var acknowledged = writers.SelectMany(w => w.Acknowledged).ToList();
        using var dataSource = NpgsqlDataSource.Create(server.ConnectionString + ";Pooling=false");
        using var credential = TestStores.Credential(key);
        using var storage = PostgreSqlKeyStorage.Open(dataSource, name, credential);
        var missing = acknowledged.Where(acked => !storage.Contains(acked)).ToList();
        Assert.True(
            missing.Count == 0,
            $"{missing.Count} acknowledged writes are missing from {name} (generation {storage.Generation}): {string.Join(", ", missing.Take(20))}\n" +
            string.Join("\n", writers.Select(w => $"--- a writer with {w.Acknowledged.Count} acks; its last lines:\n{string.Join('\n', w.Transcript.Split('\n').TakeLast(4))}")));
        foreach (string acked in acknowledged)
        {
            using var value = storage.Retrieve(acked);
            Assert.Equal(PostgresProbe.ValueOf(acked), value.Span.ToArray());
        }
    }
}
