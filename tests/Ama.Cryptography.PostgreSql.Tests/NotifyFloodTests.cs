using System.Diagnostics;
using System.Globalization;
using Ama.Cryptography.KeyManagement;
using Ama.Cryptography.PostgreSql.Tests.Infrastructure;
using Ama.Cryptography.Tests.Infrastructure;
using Npgsql;

namespace Ama.Cryptography.PostgreSql.Tests;

/// <summary>
/// Issue 19, finding 2: any role that may log in can NOTIFY the store's channel. 30,000 forged
/// announcements of a store, from a role with LOGIN and no right on the schema, must cost an open
/// instance at most 20 full reads and little CPU, and a real commit made during them must still
/// reach it within a second.
/// </summary>
/// <remarks>
/// A private cluster: the flood reaches every listener of the database, and the full reads are
/// counted with pg_stat_statements (loaded at server start), which counts each statement as it
/// ends and per role. pg_stat_user_tables would also count them, but a backend publishes its table
/// counts only now and then (PostgreSQL 15: at most once a second while busy, later when idle), so
/// an upper bound read from them could be read short. The victim is a separate process
/// (tests/Ama.PostgresProbe watch), whose CPU time is read from outside.
/// </remarks>
[Collection(ProcessHeavy.Name)]
public sealed class NotifyFloodTests
{
    private const int Forged = 30_000;
    private const int MaxFullReads = 20;
    private const int Trials = 5;
    // Ten per transaction: the flood then outpaces real commits on any machine, and the listener's flood
    // guard (it stops listening for a while above 1,000 notifications a second) must trip.
    private const int PerTransaction = 10;
    private const string Victim = "ama_flood_victim";
    private const string Flooder = "ama_flood_sender";

    // Bounds that only end a failing run; the claims are MaxFullReads, the 1 s and the CPU bound.
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    // The victim's CPU for the whole flood. Before the fix the flood cost it 1.3 to 7.5 s here (1,530 to
    // 22,250 full reads and MAC checks; the issue measured 10.7 s for 30,000). Receiving 30,000
    // notifications one by one alone costs a bare Npgsql LISTEN loop some 2 s (65 to 75 us each), which
    // the flood guard avoids; what is left is what arrives before it trips, the checks, and JIT.
    private static readonly TimeSpan MaxVictimCpu = TimeSpan.FromSeconds(2);

    [Fact]
    public async Task Forged_notifications_from_a_login_only_role_cost_at_most_20_full_reads_and_a_commit_among_them_arrives_within_a_second()
    {
        using var server = PostgresServer.StartPrivate();
        EnableStatementCounts(server);
        string name = TestStores.NewName();
        byte[] key = TestStores.NewKey();
        await using var writerSource = server.CreateDataSource();
        using var credential = TestStores.Credential(key);
        using var writer = PostgreSqlKeyStorage.Create(writerSource, name, credential);
        for (int i = 0; i < 20; i++)
        {
            writer.Store("key-" + i.ToString(CultureInfo.InvariantCulture), PostgresProbe.ValueOf("key"));
        }

        server.Execute($"CREATE ROLE {Victim} LOGIN");
        server.Execute($"GRANT USAGE ON SCHEMA ama TO {Victim}");
        server.Execute($"GRANT SELECT, INSERT, UPDATE, DELETE ON ama.key_stores, ama.key_entries TO {Victim}");
        server.Execute($"CREATE ROLE {Flooder} LOGIN");
        string victimConnection = new NpgsqlConnectionStringBuilder(server.ConnectionString) { Username = Victim }.ConnectionString;
        string flooderConnection = new NpgsqlConnectionStringBuilder(server.ConnectionString) { Username = Flooder, Pooling = false }.ConnectionString;

        // Control: the flooder can read nothing of the store.
        await using (var flooder = new NpgsqlConnection(flooderConnection))
        {
            await flooder.OpenAsync(TestContext.Current.CancellationToken);
            await using var select = new NpgsqlCommand("SELECT count(*) FROM ama.key_stores", flooder);
            var denied = await Assert.ThrowsAsync<PostgresException>(() => select.ExecuteScalarAsync(TestContext.Current.CancellationToken));
            Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, denied.SqlState);
        }

        using var victim = PostgresProbe.Watch(victimConnection, name, key);
        Assert.True(victim.WaitForGeneration(writer.Generation, Patience), "the victim did not open the store:\n" + victim.Transcript);

        // Readiness: the victim hears commits (its LISTEN is issued after Open returns).
        writer.Store("ready", PostgresProbe.ValueOf("ready"));
        Assert.True(victim.WaitForGeneration(writer.Generation, Patience), "the victim never saw a commit:\n" + victim.Transcript);

        // Control: the counter sees the victim's reads (its Open and the refresh for "ready").
        long readsBefore = FullReads(server);
        Assert.True(readsBefore >= 2, $"pg_stat_statements counted {readsBefore} full reads by the victim, expected its Open and one refresh");
        long checksBefore = Statements(server, "SELECT generation FROM %");
        TimeSpan cpuBefore = victim.CpuTime;
        var flood = Stopwatch.StartNew();

        // The flood in Trials + 1 segments; in each of the first Trials, a real commit is made once half
        // of the segment was sent, and timed from its acknowledgement until the victim holds it.
        string payload = $"ama.{name} ";
        int segment = Forged / (Trials + 1);
        var latencies = new List<TimeSpan>();
        int sent = 0;
        for (int trial = 0; trial <= Trials; trial++)
        {
            int first = trial * segment;
            int count = trial == Trials ? Forged - first : segment;
            var progress = new SentCounter();
            Task sending = Task.Run(() => SendAsync(flooderConnection, payload, first, count, progress), TestContext.Current.CancellationToken);
            if (trial < Trials)
            {
                Assert.True(progress.WaitFor(count / 2, Patience) || sending.IsCompleted, "the flood stalled");
                writer.Store("during-" + trial.ToString(CultureInfo.InvariantCulture), PostgresProbe.ValueOf("during"));
                var clock = Stopwatch.StartNew();
                Assert.True(victim.WaitForGeneration(writer.Generation, Patience), $"trial {trial}: the victim never saw the commit:\n{victim.Transcript}");
                latencies.Add(clock.Elapsed);
            }

            await sending;
            sent += progress.Count;
        }

        DateTime floodEnd = server.Scalar<DateTime>("SELECT clock_timestamp()");

        // Notifications reach the victim in order on its one listening connection, when it listens: once
        // it holds a commit made after the last forged one, it has received all of the flood it will.
        writer.Store("after", PostgresProbe.ValueOf("after"));
        Assert.True(victim.WaitForGeneration(writer.Generation, Patience), "the victim never saw the commit after the flood:\n" + victim.Transcript);
        TimeSpan cpu = victim.CpuTime - cpuBefore;
        flood.Stop();
        long reads = FullReads(server) - readsBefore;
        long checks = Statements(server, "SELECT generation FROM %") - checksBefore;

        TimeSpan best = latencies.Min();
        string measured =
            $"{sent} forged notifications and {Trials + 1} commits in {flood.ElapsedMilliseconds} ms: {reads} full reads, {checks} generation checks, " +
            $"victim CPU {cpu.TotalMilliseconds:F0} ms; commits seen after {string.Join(", ", latencies.Select(l => l.TotalMilliseconds.ToString("F0", CultureInfo.InvariantCulture)))} ms";
        TestContext.Current.SendDiagnosticMessage(measured);
        Assert.Equal(Forged, sent);
        Assert.True(reads <= MaxFullReads, $"the victim read the whole store {reads} times (at most {MaxFullReads}). {measured}");
        Assert.True(best < TimeSpan.FromSeconds(1), $"best of {Trials}: a commit during the flood was seen after {best.TotalMilliseconds:F0} ms. {measured}");
        Assert.True(cpu < MaxVictimCpu, $"the flood cost the victim {cpu.TotalMilliseconds:F0} ms of CPU (at most {MaxVictimCpu.TotalMilliseconds:F0} ms). {measured}");

        // The flood guard stopped the victim's listening for a while; it listens again afterwards (its
        // LISTEN issued after the flood ended) and hears a commit from its notification alone.
        Assert.True(
            Eventually.True(() => ListenedSince(server, floodEnd), Patience),
            "the victim did not listen again after the flood (or never stopped listening)");
        writer.Store("listening-again", PostgresProbe.ValueOf("listening-again"));
        Assert.True(victim.WaitForGeneration(writer.Generation, Patience), "the victim never saw a commit after it listened again:\n" + victim.Transcript);
        Assert.False(victim.HasExited, victim.Transcript);
        victim.CloseInput();
        Assert.True(victim.WaitForExit(Patience), "the victim did not stop");
        Assert.True(victim.ExitCode == 0, victim.Transcript);
    }

    /// <summary>Loads pg_stat_statements (a restart) and creates its view.</summary>
    private static void EnableStatementCounts(PostgresServer server)
    {
        string? binaries = ThrowawayCluster.FindBinaries();
        Tools.RequireThat(
            binaries is not null && File.Exists(Path.Combine(Path.GetDirectoryName(binaries)!, "lib", "pg_stat_statements.so")),
            "PostgreSQL's pg_stat_statements module is installed (it comes with Debian's postgresql package)");
        server.Execute("ALTER SYSTEM SET shared_preload_libraries = 'pg_stat_statements'");
        server.Stop();
        server.Start();
        server.Execute("CREATE EXTENSION pg_stat_statements");
    }

    /// <summary>Whether a session of the victim's role last ran LISTEN, and began it after <paramref name="since"/> (server time).</summary>
    private static bool ListenedSince(PostgresServer server, DateTime since) => server.Scalar<long>(
        "SELECT count(*) FROM pg_stat_activity WHERE usename = $1 AND query = 'LISTEN ama_keystore' AND query_start > $2",
        Victim,
        since) > 0;

    /// <summary>How often the victim's role has read a store's entry rows: each full read runs this statement once.</summary>
    private static long FullReads(PostgresServer server) => Statements(server, "SELECT key_name, record FROM %key_entries%");

    private static long Statements(PostgresServer server, string pattern) => server.Scalar<long>(
        "SELECT coalesce(sum(s.calls), 0)::bigint FROM pg_stat_statements s JOIN pg_roles r ON r.oid = s.userid WHERE r.rolname = $1 AND s.query LIKE $2",
        Victim,
        pattern);

    /// <summary>NOTIFY ama_keystore, 'ama.STORE N' for N = first+1 .. first+count, as the LOGIN-only role, a few per transaction.</summary>
    private static async Task SendAsync(string connectionString, string payload, int first, int count, SentCounter progress)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var notify = new NpgsqlCommand("SELECT pg_notify('ama_keystore', $1 || n) FROM generate_series($2::int, $3::int) AS n", connection);
        notify.Parameters.Add(new NpgsqlParameter { Value = payload });
        notify.Parameters.Add(new NpgsqlParameter { Value = 0 });
        notify.Parameters.Add(new NpgsqlParameter { Value = 0 });
        for (int done = 0; done < count; done += PerTransaction)
        {
            int size = Math.Min(PerTransaction, count - done);
            notify.Parameters[1].Value = first + done + 1;
            notify.Parameters[2].Value = first + done + size;
            await notify.ExecuteNonQueryAsync();
            progress.Add(size);
        }
    }

    /// <summary>How many notifications a segment has sent, with a wait that the sender's progress wakes.</summary>
    private sealed class SentCounter
    {
        private readonly object gate = new();
        private int count;

        public int Count
        {
            get
            {
                lock (gate)
                {
                    return count;
                }
            }
        }

        public void Add(int sent)
        {
            lock (gate)
            {
                count += sent;
                Monitor.PulseAll(gate);
            }
        }

        public bool WaitFor(int atLeast, TimeSpan within)
        {
            var clock = Stopwatch.StartNew();
            lock (gate)
            {
                while (count < atLeast)
                {
                    TimeSpan left = within - clock.Elapsed;
                    if (left <= TimeSpan.Zero || !Monitor.Wait(gate, left))
                    {
                        return count >= atLeast;
                    }
                }

                return true;
            }
        }
    }
}
