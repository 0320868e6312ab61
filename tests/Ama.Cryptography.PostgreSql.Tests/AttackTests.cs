using System.Diagnostics;
using Ama.Cryptography.KeyManagement;
using Ama.Cryptography.PostgreSql.Tests.Infrastructure;
using Npgsql;

namespace Ama.Cryptography.PostgreSql.Tests;

/// <summary>The PostgreSQL store attacked from outside: odd names, races, exhaustion, disposal, cancellation.</summary>
public sealed class AttackTests(PostgresServer server)
{
    private static readonly byte[] Material = [1, 2, 3, 4];

    [Theory]
    [InlineData("a'b")]
    [InlineData("a;DROP TABLE ama.key_stores")]
    [InlineData("a b")]
    [InlineData("")]
    [InlineData("é")]
    public void A_store_name_outside_the_alphabet_is_refused_before_any_sql(string name)
    {
        // A data source on a port nobody listens on: any SQL attempt would fail with a server error, not ArgumentException.
        using var unreachable = NpgsqlDataSource.Create("Host=127.0.0.1;Port=1;Timeout=1");
        using var credential = TestStores.Credential(TestStores.NewKey());
        Assert.Throws<ArgumentException>(() => PostgreSqlKeyStorage.Create(unreachable, name, credential));
        Assert.Throws<ArgumentException>(() => PostgreSqlKeyStorage.Open(unreachable, name, credential));

        // Negative control: a valid name does reach the server and fails there.
        Assert.Throws<KeyStoreException>(() => PostgreSqlKeyStorage.Open(unreachable, "valid", credential));
    }

    [Fact]
    public void Names_at_the_limits_work_and_129_characters_are_refused()
    {
        using var dataSource = server.CreateDataSource();
        using var credential = TestStores.Credential(TestStores.NewKey());
        string suffix = TestStores.NewName();
        foreach (string name in new[] { (suffix + new string('x', 128))[..128], "." + suffix, "-" + suffix, "_" + suffix })
        {
            using var storage = PostgreSqlKeyStorage.Create(dataSource, name, credential);
            storage.Store("k", Material);
            using var again = PostgreSqlKeyStorage.Open(dataSource, name, credential);
            Assert.Equal(["k"], again.ListKeys());
        }

        Assert.Throws<ArgumentException>(() => PostgreSqlKeyStorage.Create(dataSource, new string('y', 129), credential));
    }

    [Fact]
    public async Task Concurrent_creates_of_one_name_have_exactly_one_winner()
    {
        await using var dataSource = server.CreateDataSource();
        string name = TestStores.NewName();
        byte[] key = TestStores.NewKey();
        using var start = new Barrier(6);
        var attempts = Enumerable.Range(0, 6).Select(_ => Task.Run(() =>
        {
            using var credential = TestStores.Credential(key);
            start.SignalAndWait();
            try
            {
                using var storage = PostgreSqlKeyStorage.Create(dataSource, name, credential);
                storage.Store("winner", Material);
                return "won";
            }
            catch (IOException)
            {
                return "lost";
            }
        })).ToArray();
        string[] results = await Task.WhenAll(attempts);
        Assert.Single(results, r => r == "won");
        Assert.Equal(5, results.Count(r => r == "lost"));
        using var check = TestStores.Credential(key);
        using var opened = PostgreSqlKeyStorage.Open(dataSource, name, check);
        Assert.Equal(["winner"], opened.ListKeys());
    }

    [Fact]
    public async Task A_cancelled_create_leaves_no_store()
    {
        await using var dataSource = server.CreateDataSource();
        string name = TestStores.NewName();
        using var credential = TestStores.Credential(TestStores.NewKey());
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => PostgreSqlKeyStorage.CreateAsync(dataSource, name, credential, new CancellationToken(true)));
        Assert.Throws<KeyStoreException>(() => PostgreSqlKeyStorage.Open(dataSource, name, credential));

        // Negative control: the same call without cancellation creates it.
        using var created = await PostgreSqlKeyStorage.CreateAsync(dataSource, name, credential, TestContext.Current.CancellationToken);
        Assert.NotNull(created);
    }

    [Fact]
    public void Use_after_dispose_throws_object_disposed()
    {
        using var dataSource = server.CreateDataSource();
        using var credential = TestStores.Credential(TestStores.NewKey());
        var storage = PostgreSqlKeyStorage.Create(dataSource, TestStores.NewName(), credential);
        storage.Store("k", Material);
        storage.Dispose();
        Assert.Throws<ObjectDisposedException>(() => storage.Store("k", Material));
        Assert.Throws<ObjectDisposedException>(() => storage.Retrieve("k"));
    }

    [Fact]
    public void A_credential_change_by_one_instance_is_refused_on_the_others_next_write()
    {
        using var dataSource = server.CreateDataSource();
        string name = TestStores.NewName();
        using var credential = TestStores.Credential(TestStores.NewKey());
        using var first = PostgreSqlKeyStorage.Create(dataSource, name, credential);
        using var second = PostgreSqlKeyStorage.Open(dataSource, name, credential);
        first.Store("k", Material);
        second.Store("k", Material); // negative control: writes work before the change

        first.RotateDataKey();
        second.Store("after-rotate", Material);
        using var newCredential = TestStores.Credential(TestStores.NewKey());
        first.ChangeCredential(newCredential);
        Assert.Throws<KeyStoreCredentialException>(() => second.Store("after-change", Material));
        Assert.False(first.Contains("after-change"));
        Assert.True(first.Contains("after-rotate"));
    }

    [Fact]
    public void A_commit_made_right_after_open_reaches_the_new_instance_within_a_second()
    {
        using var dataSource = server.CreateDataSource();
        string name = TestStores.NewName();
        using var credential = TestStores.Credential(TestStores.NewKey());
        using var writer = PostgreSqlKeyStorage.Create(dataSource, name, credential);
        // Every commit must arrive (nothing else refreshes the reader, so a missed one fails at 30 s);
        // the latency claim is the best of the five, measured from the commit's acknowledgement,
        // because a loaded machine only adds delay (a 1.5 s bound on every trial failed under load).
        var best = TimeSpan.MaxValue;
        for (int trial = 0; trial < 5; trial++)
        {
            using var reader = PostgreSqlKeyStorage.Open(dataSource, name, credential);
            string key = "k" + trial;
            writer.Store(key, Material);
            var clock = Stopwatch.StartNew();
            Assert.True(Eventually.True(() => reader.Contains(key), TimeSpan.FromSeconds(30)), $"trial {trial}: the commit never reached the instance opened just before it");
            best = clock.Elapsed < best ? clock.Elapsed : best;
        }

        Assert.True(best < TimeSpan.FromSeconds(1), $"best of five: seen after {best.TotalMilliseconds:F0} ms");
    }

    [Fact]
    public void Many_open_storages_do_not_exhaust_the_connection_pool()
    {
        // 10 connections at most from this data source: each open storage must not keep one for itself. If they did,
        // no write would ever get a connection; a queue behind the storages' brief catch-up reads, which a loaded
        // machine lengthens, is not that, so a write may wait for a connection as long as the default timeout.
        var builder = new NpgsqlConnectionStringBuilder(server.ConnectionString) { MaxPoolSize = 10, Timeout = 30 };
        using var dataSource = NpgsqlDataSource.Create(builder.ConnectionString);
        string name = TestStores.NewName();
        using var credential = TestStores.Credential(TestStores.NewKey());
        var storages = new List<SecureKeyStorage> { PostgreSqlKeyStorage.Create(dataSource, name, credential) };
        try
        {
            for (int i = 0; i < 24; i++)
            {
                storages.Add(PostgreSqlKeyStorage.Open(dataSource, name, credential));
            }

            // The first commit goes in at once, while the 24 catch-up reads may still be running: a catch-up returns
            // its connection before its Refresh takes one, and a Refresh that timed out on the full pool is retried
            // (no pause that a loaded machine can outlast). Once every instance saw the first commit, all listen.
            storages[0].Store("first", Material);
            Assert.True(Eventually.True(() => storages.All(s => s.Contains("first")), TimeSpan.FromSeconds(30)), "not every instance saw the first commit");

            // An exhausted pool makes every write wait out the 30 s connection timeout and fail; the best
            // of three writes is timed, because a loaded machine only slows single writes down.
            var best = TimeSpan.MaxValue;
            for (int i = 0; i < 3; i++)
            {
                var watch = Stopwatch.StartNew();
                storages[0].Store("k", Material);
                best = watch.Elapsed < best ? watch.Elapsed : best;
            }

            Assert.True(best < TimeSpan.FromSeconds(2), $"the fastest of three writes took {best}");
            Assert.True(Eventually.True(() => storages.All(s => s.Contains("k")), TimeSpan.FromSeconds(30)), "not every instance saw the commits");
        }
        finally
        {
            storages.ForEach(s => s.Dispose());
        }
    }

    [Fact]
    public void A_wrong_database_or_missing_tables_give_a_key_store_exception_without_the_password()
    {
        const string secret = "S3cretPassw0rd-ama";
        var builder = new NpgsqlConnectionStringBuilder(server.ConnectionString) { Database = "no_such_db_ama_attack", Password = secret, Timeout = 3 };
        using var dataSource = NpgsqlDataSource.Create(builder.ConnectionString);
        using var credential = TestStores.Credential(TestStores.NewKey());
        var open = Assert.Throws<KeyStoreException>(() => PostgreSqlKeyStorage.Open(dataSource, "x", credential));
        var create = Assert.Throws<KeyStoreException>(() => PostgreSqlKeyStorage.Create(dataSource, "x", credential));
        foreach (var e in new Exception[] { open, create })
        {
            Assert.DoesNotContain(secret, e.ToString(), StringComparison.Ordinal);
            Assert.Contains("'x'", e.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void A_large_entry_with_many_versions_survives_reopening()
    {
        using var dataSource = server.CreateDataSource();
        string name = TestStores.NewName();
        using var credential = TestStores.Credential(TestStores.NewKey());
        byte[] big = new byte[1024 * 1024];
        Random.Shared.NextBytes(big);
        using (var storage = PostgreSqlKeyStorage.Create(dataSource, name, credential))
        {
            storage.Store("big", big);
            for (int i = 0; i < 50; i++)
            {
                storage.Store("small", [(byte)i]);
            }
        }

        using var opened = PostgreSqlKeyStorage.Open(dataSource, name, credential);
        using var back = opened.Retrieve("big");
        Assert.Equal(big, back.Span.ToArray());
        Assert.Equal(50, opened.ListVersions("small").Count);
    }
}

/// <summary>A database without the key store tables: Open says what to do, in a KeyStoreException.</summary>
public sealed class AttackMissingTablesTests(PostgresServer server)
{
    [Fact]
    public async Task Open_in_a_database_without_the_tables_says_how_to_create_them()
    {
        string database = "ama_attack_" + Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(6));
        server.Execute($"CREATE DATABASE {database}");
        try
        {
            var builder = new NpgsqlConnectionStringBuilder(server.ConnectionString) { Database = database, Pooling = false };
            using var credential = TestStores.Credential(TestStores.NewKey());
            await using (var dataSource = NpgsqlDataSource.Create(builder.ConnectionString))
            {
                var sync = Assert.Throws<KeyStoreException>(() => PostgreSqlKeyStorage.Open(dataSource, "missing", credential));
                var async = await Assert.ThrowsAsync<KeyStoreException>(() => PostgreSqlKeyStorage.OpenAsync(dataSource, "missing", credential, TestContext.Current.CancellationToken));
                foreach (var e in new[] { sync, async })
                {
                    Assert.Contains("'missing'", e.Message, StringComparison.Ordinal);
                    Assert.Contains("ama-keystore.sql", e.Message, StringComparison.Ordinal);
                }

                // Negative control: once Create applied the tables, the same data source opens the store.
                using (PostgreSqlKeyStorage.Create(dataSource, "missing", credential))
                {
                }

                using var opened = PostgreSqlKeyStorage.Open(dataSource, "missing", credential);
                Assert.Empty(opened.ListKeys());
            }
        }
        finally
        {
            server.Execute($"DROP DATABASE IF EXISTS {database} WITH (FORCE)");
        }
    }

    [Fact]
    public async Task Concurrent_first_creates_in_a_fresh_database_all_succeed()
    {
        string database = "ama_attack_" + Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(6));
        server.Execute($"CREATE DATABASE {database}");
        try
        {
            var builder = new NpgsqlConnectionStringBuilder(server.ConnectionString) { Database = database, Pooling = false };
            await using var dataSource = NpgsqlDataSource.Create(builder.ConnectionString);
            using var credential = TestStores.Credential(TestStores.NewKey());
            using var start = new Barrier(6);
            var creates = Enumerable.Range(0, 6).Select(i => Task.Run(async () =>
            {
                start.SignalAndWait();
                using var storage = i % 2 == 0
                    ? PostgreSqlKeyStorage.Create(dataSource, "s" + i, credential)
                    : await PostgreSqlKeyStorage.CreateAsync(dataSource, "s" + i, credential);
                storage.Store("k", [1]);
            })).ToArray();
            await Task.WhenAll(creates);
            for (int i = 0; i < 6; i++)
            {
                using var opened = PostgreSqlKeyStorage.Open(dataSource, "s" + i, credential);
                Assert.Equal(["k"], opened.ListKeys());
            }
        }
        finally
        {
            server.Execute($"DROP DATABASE IF EXISTS {database} WITH (FORCE)");
        }
    }
}
