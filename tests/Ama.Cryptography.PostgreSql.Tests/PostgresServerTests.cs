using Ama.Cryptography.PostgreSql.Tests.Infrastructure;
using Npgsql;

namespace Ama.Cryptography.PostgreSql.Tests;

/// <summary>The test server and the schema file: the ground the backend's tests stand on.</summary>
public sealed class PostgresServerTests(PostgresServer server)
{
    [Fact]
    public async Task The_server_answers_and_runs_with_fsync_on()
    {
        await using NpgsqlDataSource dataSource = server.CreateDataSource();
        await using NpgsqlCommand version = dataSource.CreateCommand("SELECT version()");
        string? text = (string?)await version.ExecuteScalarAsync(TestContext.Current.CancellationToken);
        Assert.StartsWith("PostgreSQL ", text, StringComparison.Ordinal);

        if (server.OwnsServer)
        {
            // The durability tests rely on fsync; a server of AMA_POSTGRES is the DBA's business.
            Assert.Equal("on", server.Scalar<string>("SHOW fsync"));
            Assert.Equal("", server.Scalar<string>("SHOW listen_addresses"));
        }
    }

    [Fact]
    public void The_package_embeds_the_schema_file_it_ships()
    {
        string embedded = TestSchema.EmbeddedSchemaSql();
        Assert.Equal(TestSchema.ShippedSchemaSql(), embedded);
        Assert.Contains("CREATE TABLE IF NOT EXISTS ama.key_stores", embedded, StringComparison.Ordinal);
        Assert.Contains("CREATE TABLE IF NOT EXISTS ama.key_entries", embedded, StringComparison.Ordinal);
    }

    [Fact]
    public void The_schema_file_applies_under_another_name_twice_with_exactly_the_columns_the_MAC_covers()
    {
        using TestSchema schema = server.CreateSchema();
        // Idempotent: a second run of the file changes nothing and fails on nothing.
        server.Execute(TestSchema.Substitute(TestSchema.EmbeddedSchemaSql(), schema.Name));

        string columns = server.Scalar<string>(
            """
            SELECT string_agg(table_name || '.' || column_name || ':' || data_type, ' ' ORDER BY table_name, ordinal_position)
            FROM information_schema.columns WHERE table_schema = $1
            """,
            schema.Name)!;
        Assert.Equal(
            "key_entries.store_name:text key_entries.key_name:text key_entries.record:bytea "
            + "key_stores.store_name:text key_stores.generation:bigint key_stores.header:bytea key_stores.mac:bytea",
            columns);
        Assert.Equal("C", server.Scalar<string>(
            "SELECT collation_name FROM information_schema.columns WHERE table_schema = $1 AND table_name = 'key_entries' AND column_name = 'key_name'",
            schema.Name));
        // Every column is explained in the database itself.
        Assert.Equal(7L, server.Scalar<long>(
            """
            SELECT count(*) FROM information_schema.columns c
            WHERE c.table_schema = $1
              AND col_description(format('%I.%I', c.table_schema, c.table_name)::regclass, c.ordinal_position) IS NOT NULL
            """,
            schema.Name));
    }

    [Fact]
    public void A_store_row_is_written_and_read_and_a_bad_store_name_is_refused()
    {
        using TestSchema schema = server.CreateSchema();
        InsertStore(server, schema, "fleet.keys-1", generation: 7);
        Assert.Equal(7L, server.Scalar<long>($"SELECT generation FROM {schema.Table("key_stores")} WHERE store_name = $1", "fleet.keys-1"));

        foreach (string bad in new[] { "", "bad name", "slash/", "ü", new string('a', 129) })
        {
            var refused = Assert.Throws<PostgresException>(() => InsertStore(server, schema, bad, generation: 1));
            Assert.Equal(PostgresErrorCodes.CheckViolation, refused.SqlState);
        }

        // The control: the longest legal name passes the same check.
        InsertStore(server, schema, new string('a', 128), generation: 1);
        Assert.Equal(2L, server.Scalar<long>($"SELECT count(*) FROM {schema.Table("key_stores")}"));
    }

    [Fact]
    public void Dropping_a_store_drops_its_entries_and_an_entry_needs_its_store()
    {
        using TestSchema schema = server.CreateSchema();
        InsertStore(server, schema, "a", generation: 1);
        InsertStore(server, schema, "b", generation: 1);
        server.Execute($"INSERT INTO {schema.Table("key_entries")} VALUES ('a', 'k1', '\\x01'), ('b', 'k1', '\\x02')");

        var orphan = Assert.Throws<PostgresException>(
            () => server.Execute($"INSERT INTO {schema.Table("key_entries")} VALUES ('nope', 'k1', '\\x01')"));
        Assert.Equal(PostgresErrorCodes.ForeignKeyViolation, orphan.SqlState);

        server.Execute($"DELETE FROM {schema.Table("key_stores")} WHERE store_name = 'a'");
        Assert.Equal(1L, server.Scalar<long>($"SELECT count(*) FROM {schema.Table("key_entries")}"));
        Assert.Equal("b", server.Scalar<string>($"SELECT store_name FROM {schema.Table("key_entries")}"));
    }

    [Fact]
    public void A_test_schema_is_gone_after_dispose()
    {
        string name;
        using (TestSchema schema = server.CreateSchema())
        {
            name = schema.Name;
            Assert.Equal(1L, server.Scalar<long>("SELECT count(*) FROM pg_namespace WHERE nspname = $1", name));
        }

        Assert.Equal(0L, server.Scalar<long>("SELECT count(*) FROM pg_namespace WHERE nspname = $1", name));
    }

    [Fact]
    public async Task A_committed_row_survives_an_immediate_restart_and_an_uncommitted_one_does_not()
    {
        using PostgresServer own = PostgresServer.StartPrivate();
        using TestSchema schema = own.CreateSchema();
        InsertStore(own, schema, "committed", generation: 1);
        DateTime startedBefore = own.Scalar<DateTime>("SELECT pg_postmaster_start_time()");

        // The control: a row whose transaction is open when the server dies must not come back,
        // which shows that the restart really threw the server's memory away.
        await using (NpgsqlDataSource before = own.CreateDataSource())
        await using (NpgsqlConnection open = await before.OpenConnectionAsync(TestContext.Current.CancellationToken))
        await using (NpgsqlTransaction transaction = await open.BeginTransactionAsync(TestContext.Current.CancellationToken))
        {
            await using var insert = new NpgsqlCommand(
                $"INSERT INTO {schema.Table("key_stores")} VALUES ('uncommitted', 1, '\\x00', '\\x00')", open, transaction);
            await insert.ExecuteNonQueryAsync(TestContext.Current.CancellationToken);

            own.RestartImmediate();
        }

        await using NpgsqlDataSource after = own.CreateDataSource();
        await using NpgsqlCommand read = after.CreateCommand($"SELECT string_agg(store_name, ',') FROM {schema.Table("key_stores")}");
        Assert.Equal("committed", (string?)await read.ExecuteScalarAsync(TestContext.Current.CancellationToken));
        Assert.True(own.Scalar<DateTime>("SELECT pg_postmaster_start_time()") > startedBefore);
        Assert.Contains("database system was interrupted", File.ReadAllText(Path.Combine(own.ClusterDirectory!, "server.log")), StringComparison.Ordinal);
    }

    [Fact]
    public void A_stopped_private_server_refuses_connections_and_serves_again_after_start()
    {
        using PostgresServer own = PostgresServer.StartPrivate();
        own.Stop();
        Assert.ThrowsAny<NpgsqlException>(() => own.Scalar<int>("SELECT 1"));
        own.Start();
        Assert.Equal(1, own.Scalar<int>("SELECT 1"));
    }

    [Fact]
    public void A_private_cluster_leaves_nothing_behind()
    {
        string directory;
        using (PostgresServer own = PostgresServer.StartPrivate())
        {
            directory = own.ClusterDirectory!;
            Assert.True(File.Exists(Path.Combine(directory, "data", "postmaster.pid")));
        }

        Assert.False(Directory.Exists(directory));
    }

    private static void InsertStore(PostgresServer target, TestSchema schema, string storeName, long generation) =>
        target.Execute(
            $"INSERT INTO {schema.Table("key_stores")} (store_name, generation, header, mac) VALUES ($1, $2, $3, $4)",
            storeName, generation, new byte[] { 1, 2, 3 }, new byte[32]);
}
