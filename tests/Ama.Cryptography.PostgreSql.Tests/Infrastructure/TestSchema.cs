using System.Reflection;
using System.Security.Cryptography;
using System.Text.RegularExpressions;
using Npgsql;

namespace Ama.Cryptography.PostgreSql.Tests.Infrastructure;

/// <summary>
/// A schema with a random name (ama_test_…) created from the package's SQL file with the schema
/// name substituted, so that tests on a shared server never meet each other's rows or anyone
/// else's. Dispose drops it with everything in it.
/// </summary>
public sealed partial class TestSchema : IDisposable
{
    public const string SchemaFileResource = "Ama.Cryptography.PostgreSql.Schema.ama-keystore.sql";

    private readonly PostgresServer server;
    private bool dropped;

    private TestSchema(PostgresServer server, string name)
    {
        this.server = server;
        Name = name;
    }

    public string Name { get; }

    /// <summary>The schema file as the package embeds it.</summary>
    public static string EmbeddedSchemaSql()
    {
        Assembly package = Assembly.Load("Ama.Cryptography.PostgreSql");
        using Stream stream = package.GetManifestResourceStream(SchemaFileResource)
            ?? throw new InvalidOperationException($"The package has no resource {SchemaFileResource}.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    /// <summary>The schema file as shipped for DBAs (copied next to the tests).</summary>
    public static string ShippedSchemaSql() =>
        File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Schema", "ama-keystore.sql"));

    /// <summary>The SQL file with the schema name <c>ama</c> replaced, as a DBA would do it: after SCHEMA and before each dot.</summary>
    public static string Substitute(string sql, string schemaName)
    {
        if (!SafeName().IsMatch(schemaName))
        {
            throw new ArgumentException($"'{schemaName}' is not a plain lower-case SQL identifier.", nameof(schemaName));
        }

        return SchemaReference().Replace(sql, schemaName);
    }

    internal static TestSchema Create(PostgresServer server)
    {
        string name = "ama_test_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));
        server.Execute(Substitute(EmbeddedSchemaSql(), name));
        return new TestSchema(server, name);
    }

    /// <summary>A table of this schema, qualified: <c>Table("key_stores")</c> is <c>ama_test_….key_stores</c>.</summary>
    public string Table(string table) => $"{Name}.{table}";

    public void Dispose()
    {
        if (dropped)
        {
            return;
        }

        dropped = true;
        try
        {
            server.Execute($"DROP SCHEMA IF EXISTS {Name} CASCADE");
        }
        catch (NpgsqlException) when (server.OwnsServer)
        {
            // A test left its own cluster stopped; the cluster's directory goes with it.
        }
    }

    [GeneratedRegex(@"\bama(?=\.|;)")]
    private static partial Regex SchemaReference();

    [GeneratedRegex("^[a-z_][a-z0-9_]{0,62}$")]
    private static partial Regex SafeName();
}
