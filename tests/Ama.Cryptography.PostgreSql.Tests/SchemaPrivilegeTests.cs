using Ama.Cryptography.KeyManagement;
using Ama.Cryptography.PostgreSql.Tests.Infrastructure;
using Npgsql;

namespace Ama.Cryptography.PostgreSql.Tests;

/// <summary>
/// A DBA applies Schema/ama-keystore.sql and grants the application only SELECT, INSERT, UPDATE and
/// DELETE on the two tables (docs/postgresql.md): Create and Open must work with exactly that.
/// </summary>
[Collection(ProcessHeavy.Name)]
public sealed class SchemaPrivilegeTests
{
    [Fact]
    public void An_application_role_with_only_table_privileges_creates_and_opens_stores()
    {
        using var server = PostgresServer.StartPrivate();
        server.Execute(TestSchema.EmbeddedSchemaSql());
        server.Execute("CREATE ROLE ama_app LOGIN");
        server.Execute("GRANT USAGE ON SCHEMA ama TO ama_app");
        server.Execute("GRANT SELECT, INSERT, UPDATE, DELETE ON ama.key_stores, ama.key_entries TO ama_app");
        string asApp = new NpgsqlConnectionStringBuilder(server.ConnectionString) { Username = "ama_app" }.ConnectionString;
        using var dataSource = NpgsqlDataSource.Create(asApp);
        byte[] key = TestStores.NewKey();
        using var credential = TestStores.Credential(key);

        using (var storage = PostgreSqlKeyStorage.Create(dataSource, "app", credential))
        {
            storage.Store("k", [1, 2, 3]);
        }

        using var reopened = PostgreSqlKeyStorage.Open(dataSource, "app", credential);
        Assert.Equal(["k"], reopened.ListKeys());

        // Control: the same role cannot create the schema itself, so Create on an empty database fails.
        server.Execute("DROP SCHEMA ama CASCADE");
        var error = Assert.Throws<KeyStoreException>(() => PostgreSqlKeyStorage.Create(dataSource, "other", credential));
        Assert.Contains("other", error.Message, StringComparison.Ordinal);
    }
}
