using System.Security.Cryptography;
using Ama.Cryptography.KeyManagement;
using Ama.Cryptography.PostgreSql.Tests.Infrastructure;
using Npgsql;

namespace Ama.Cryptography.PostgreSql.Tests;

/// <summary>
/// docs/postgresql.md: when a DBA applied the schema file, the application's role needs only
/// SELECT, INSERT, UPDATE and DELETE on the two tables. Such a role must be able to create stores.
/// </summary>
public sealed class AttackLeastPrivilegeTests(PostgresServer server)
{
    [Fact]
    public async Task A_role_with_only_row_privileges_creates_opens_and_writes_stores()
    {
        // The tables as a DBA applies them (idempotent), queued behind concurrent creators on the package's advisory lock.
        server.Execute("SELECT pg_advisory_xact_lock(71800063742769); " + TestSchema.EmbeddedSchemaSql());

        string role = "ama_attack_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6));
        server.Execute($"CREATE ROLE {role} LOGIN");
        try
        {
            server.Execute($"GRANT USAGE ON SCHEMA ama TO {role}");
            server.Execute($"GRANT SELECT, INSERT, UPDATE, DELETE ON ama.key_stores, ama.key_entries TO {role}");
            var builder = new NpgsqlConnectionStringBuilder(server.ConnectionString) { Username = role, Pooling = false };
            await using var dataSource = NpgsqlDataSource.Create(builder.ConnectionString);
            using var credential = TestStores.Credential(TestStores.NewKey());
            string name = TestStores.NewName();
            using (var storage = PostgreSqlKeyStorage.Create(dataSource, name, credential))
            {
                storage.Store("k", [1, 2, 3]);
            }

            using (var again = await PostgreSqlKeyStorage.CreateAsync(dataSource, name + "-async", credential, TestContext.Current.CancellationToken))
            {
                again.Store("k", [4]);
            }

            using var opened = PostgreSqlKeyStorage.Open(dataSource, name, credential);
            Assert.Equal(["k"], opened.ListKeys());

            // Negative control: the role really lacks DDL rights.
            await using var connection = await dataSource.OpenConnectionAsync(TestContext.Current.CancellationToken);
            await using var ddl = new NpgsqlCommand("COMMENT ON TABLE ama.key_stores IS 'x'", connection);
            await Assert.ThrowsAsync<PostgresException>(() => ddl.ExecuteNonQueryAsync(TestContext.Current.CancellationToken));
        }
        finally
        {
            NpgsqlConnection.ClearAllPools();
            server.Execute($"DROP OWNED BY {role}");
            server.Execute($"DROP ROLE {role}");
        }
    }
}
