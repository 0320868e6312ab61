using System.Diagnostics;
using System.Security.Cryptography;
using Ama.Cryptography.KeyManagement;
using Ama.Cryptography.PostgreSql.Tests.Infrastructure;
using Ama.Cryptography.Tests.Infrastructure;
using Npgsql;

namespace Ama.Cryptography.PostgreSql.Tests;

/// <summary>
/// PostgreSqlKeyStoreOptions: stores in a schema other than <c>ama</c> (created by Create, or
/// applied by a DBA from the shipped file), kept apart from same-named stores elsewhere, and a
/// writer's lock timeout that bounds its wait.
/// </summary>
public sealed class SchemaOptionTests(PostgresServer server)
{
    private static readonly byte[] Material = [7, 7, 7];

    [Fact]
    public void Create_applies_the_tables_to_the_named_schema_and_the_store_lives_only_there()
    {
        string schema = NewSchemaName();
        try
        {
            using var dataSource = server.CreateDataSource();
            string name = TestStores.NewName();
            using var credential = TestStores.Credential(TestStores.NewKey());
            var options = new PostgreSqlKeyStoreOptions { Schema = schema };
            using (var storage = PostgreSqlKeyStorage.Create(dataSource, name, credential, options))
            {
                storage.Store("k", Material);
            }

            Assert.Equal(1L, server.Scalar<long>($"SELECT count(*) FROM {schema}.key_stores WHERE store_name = $1", name));
            Assert.Equal(1L, server.Scalar<long>($"SELECT count(*) FROM {schema}.key_entries WHERE store_name = $1", name));

            // Control: the default schema has no such store, and says which schema it looked in.
            var missing = Assert.Throws<KeyStoreException>(() => PostgreSqlKeyStorage.Open(dataSource, name, credential));
            Assert.Contains("schema ama", missing.Message, StringComparison.Ordinal);

            using var reopened = PostgreSqlKeyStorage.Open(dataSource, name, credential, options);
            using var material = reopened.Retrieve("k");
            Assert.Equal(Material, material.Span.ToArray());
        }
        finally
        {
            server.Execute($"DROP SCHEMA IF EXISTS {schema} CASCADE");
        }
    }

    [Fact]
    public async Task Same_named_stores_in_two_schemas_are_separate_and_each_hears_only_its_own_commits()
    {
        using TestSchema first = server.CreateSchema();
        using TestSchema second = server.CreateSchema();
        await using var dataSource = server.CreateDataSource();
        string name = TestStores.NewName();
        using var credential = TestStores.Credential(TestStores.NewKey());
        var inFirst = new PostgreSqlKeyStoreOptions { Schema = first.Name };
        var inSecond = new PostgreSqlKeyStoreOptions { Schema = second.Name };
        using var writerA = await PostgreSqlKeyStorage.CreateAsync(dataSource, name, credential, inFirst, TestContext.Current.CancellationToken);
        using var writerB = await PostgreSqlKeyStorage.CreateAsync(dataSource, name, credential, inSecond, TestContext.Current.CancellationToken);
        using var readerA = await PostgreSqlKeyStorage.OpenAsync(dataSource, name, credential, inFirst, TestContext.Current.CancellationToken);
        using var readerB = PostgreSqlKeyStorage.Open(dataSource, name, credential, inSecond);

        writerA.Store("only-in-first", Material);
        Assert.True(Eventually.True(() => readerA.Contains("only-in-first"), TimeSpan.FromSeconds(10)), "the reader in the same schema never saw the commit");
        Assert.False(readerB.Contains("only-in-first"));
        readerB.Refresh();
        Assert.Empty(readerB.ListKeys());
        Assert.Equal(1L, server.Scalar<long>($"SELECT count(*) FROM {first.Table("key_entries")} WHERE store_name = $1", name));
        Assert.Equal(0L, server.Scalar<long>($"SELECT count(*) FROM {second.Table("key_entries")} WHERE store_name = $1", name));
    }

    [Fact]
    public void The_shipped_file_with_the_documented_substitution_gives_tables_the_package_uses_without_DDL()
    {
        // What the SQL file's header tells a DBA to do, with the real sed.
        string sed = Tools.Require("sed");
        string schema = NewSchemaName();
        string shipped = Path.Combine(AppContext.BaseDirectory, "Schema", "ama-keystore.sql");
        string script = Run(sed, "-E", @"s/\bama(\.key_|;)/" + schema + @"\1/g", shipped);
        Assert.DoesNotContain(" ama.", script, StringComparison.Ordinal);
        try
        {
            server.Execute(script);
            using var dataSource = server.CreateDataSource();
            using var credential = TestStores.Credential(TestStores.NewKey());
            string name = TestStores.NewName();
            using var storage = PostgreSqlKeyStorage.Create(dataSource, name, credential, new PostgreSqlKeyStoreOptions { Schema = schema });
            storage.Store("k", Material);
            Assert.Equal(1L, server.Scalar<long>($"SELECT count(*) FROM {schema}.key_entries WHERE store_name = $1", name));
        }
        finally
        {
            server.Execute($"DROP SCHEMA IF EXISTS {schema} CASCADE");
        }
    }

    [Theory]
    [InlineData("")]
    [InlineData("Ama")]
    [InlineData("pg_keys")]
    [InlineData("9keys")]
    [InlineData("a-b")]
    [InlineData("a.b")]
    [InlineData("ama; DROP TABLE x")]
    [InlineData("\"ama\"")]
    [InlineData("ama ")]
    [InlineData("schéma")]
    public void Invalid_schema_names_are_refused_before_any_statement(string schema)
    {
        var options = new PostgreSqlKeyStoreOptions();
        var error = Assert.Throws<ArgumentException>(() => options.Schema = schema);
        Assert.Contains("schema name", error.Message, StringComparison.Ordinal);
        Assert.Equal(PostgreSqlKeyStorage.DefaultSchema, options.Schema);
    }

    [Fact]
    public void Edge_schema_names_are_accepted_and_null_is_refused()
    {
        var options = new PostgreSqlKeyStoreOptions { Schema = "_" };
        Assert.Equal("_", options.Schema);
        options.Schema = "k" + new string('9', 62);
        Assert.Equal(63, options.Schema.Length);
        Assert.Throws<ArgumentException>(() => options.Schema = "k" + new string('9', 63));
        Assert.Throws<ArgumentException>(() => options.Schema = null!);
        using var dataSource = server.CreateDataSource();
        using var credential = TestStores.Credential(TestStores.NewKey());
        Assert.Throws<ArgumentNullException>(() => PostgreSqlKeyStorage.Open(dataSource, "x", credential, null!));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(86_400_001)]
    public void Lock_timeouts_outside_1_ms_to_24_h_are_refused(long milliseconds)
    {
        var options = new PostgreSqlKeyStoreOptions();
        Assert.Throws<ArgumentOutOfRangeException>(() => options.LockTimeout = TimeSpan.FromMilliseconds(milliseconds));
        Assert.Equal(PostgreSqlKeyStorage.DefaultLockTimeout, options.LockTimeout);
    }

    [Fact]
    public async Task A_short_lock_timeout_fails_a_writer_behind_a_held_lock_quickly_and_the_store_is_intact()
    {
        await using var dataSource = server.CreateDataSource();
        string name = TestStores.NewName();
        using var credential = TestStores.Credential(TestStores.NewKey());
        using (var setup = PostgreSqlKeyStorage.Create(dataSource, name, credential))
        {
            setup.Store("before", Material);
        }

        using var impatient = PostgreSqlKeyStorage.Open(dataSource, name, credential, new PostgreSqlKeyStoreOptions { LockTimeout = TimeSpan.FromMilliseconds(300) });
        await using (var holder = await dataSource.OpenConnectionAsync(TestContext.Current.CancellationToken))
        await using (var transaction = await holder.BeginTransactionAsync(TestContext.Current.CancellationToken))
        {
            await using (var lockRow = new NpgsqlCommand("SELECT 1 FROM ama.key_stores WHERE store_name = $1 FOR UPDATE", holder, transaction) { Parameters = { new() { Value = name } } })
            {
                await lockRow.ExecuteNonQueryAsync(TestContext.Current.CancellationToken);
            }

            var clock = Stopwatch.StartNew();
            var error = Assert.Throws<KeyStoreException>(() => impatient.Store("blocked", Material));
            clock.Stop();
            Assert.Contains("lock timeout", error.Message, StringComparison.Ordinal);
            Assert.Contains(name, error.Message, StringComparison.Ordinal);
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"waited {clock.Elapsed}");

            // Control: with the lock still held, a writer with the default timeout is still waiting well past the short
            // timeout. Its wait for the row lock is seen in pg_stat_activity first: after a bare pause, a writer on a
            // loaded machine might not have reached the lock yet, and the control would pass without showing anything.
            string application = "ama-patient-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6));
            await using var patientSource = NpgsqlDataSource.Create(new NpgsqlConnectionStringBuilder(server.ConnectionString) { ApplicationName = application }.ConnectionString);
            using var patient = PostgreSqlKeyStorage.Open(patientSource, name, credential);
            var waiting = Task.Run(() => patient.Store("after", Material), TestContext.Current.CancellationToken);
            Assert.True(
                Eventually.True(() => WaitsForALock(application), TimeSpan.FromSeconds(30)),
                "the writer with the default lock timeout never waited for the row lock");
            await Task.Delay(TimeSpan.FromSeconds(1), TestContext.Current.CancellationToken); // over three times the short timeout
            Assert.False(waiting.IsCompleted, "the writer with the default lock timeout stopped waiting");
            Assert.True(WaitsForALock(application), "the writer with the default lock timeout no longer waits for the row lock");
            await transaction.RollbackAsync(TestContext.Current.CancellationToken);
            await waiting;
        }

        impatient.Refresh();
        Assert.Equal(["after", "before"], impatient.ListKeys().Order(StringComparer.Ordinal));
    }

    private bool WaitsForALock(string application) =>
        server.Scalar<long>("SELECT count(*) FROM pg_stat_activity WHERE application_name = $1 AND wait_event_type = 'Lock'", application) > 0;

    private static string NewSchemaName() => "ama_opt_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6));


    private static string Run(string file, params string[] arguments)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        string output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        Assert.Equal(0, process.ExitCode);
        return output;
    }
}
