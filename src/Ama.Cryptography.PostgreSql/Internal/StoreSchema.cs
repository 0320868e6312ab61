using System.Text.RegularExpressions;
using Npgsql;

namespace Ama.Cryptography.PostgreSql.Internal;

/// <summary>Applies Schema/ama-keystore.sql, the same file the package ships for DBAs who manage migrations, to the configured schema.</summary>
internal static partial class StoreSchema
{
    private const string ResourceName = "Ama.Cryptography.PostgreSql.Schema.ama-keystore.sql";

    // Any fixed 64-bit number: concurrent creators of the schema queue on it instead of racing
    // CREATE ... IF NOT EXISTS, which can fail with a unique violation when two run at once.
    private const long AdvisoryLockKey = 0x414D_414B_5331;

    private static readonly Lazy<string> Script = new(ReadScript);

    /// <summary>
    /// Lower-case identifiers only: unquoted, they mean the same in the package's statements and in a
    /// DBA's psql session. "pg_" names are reserved for the server's own schemas.
    /// </summary>
    internal static bool IsValidName(string? name) => name is not null && ValidName().IsMatch(name) && !name.StartsWith("pg_", StringComparison.Ordinal);

    /// <summary>
    /// The script is applied only when a table is missing: even with IF NOT EXISTS, CREATE SCHEMA
    /// needs the CREATE privilege on the database and COMMENT ON needs ownership, which an
    /// application role on tables a DBA applied does not have (and need not have).
    /// </summary>
    internal static void Apply(NpgsqlConnection connection, StoreSql sql)
    {
        using (var exists = new NpgsqlCommand(sql.TablesExist, connection))
        {
            if (exists.ExecuteScalar() is true)
            {
                return;
            }
        }

        using var transaction = connection.BeginTransaction();
        using (var command = new NpgsqlCommand(LockedScript(sql.Schema), connection))
        {
            command.ExecuteNonQuery();
        }

        transaction.Commit();
    }

    internal static async Task ApplyAsync(NpgsqlConnection connection, StoreSql sql, CancellationToken cancellationToken)
    {
        await using (var exists = new NpgsqlCommand(sql.TablesExist, connection))
        {
            if (await exists.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is true)
            {
                return;
            }
        }

        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await using (var command = new NpgsqlCommand(LockedScript(sql.Schema), connection))
        {
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The script for <paramref name="schema"/>: the shipped file names the schema <c>ama</c> in each statement, as "ama." or "SCHEMA IF NOT EXISTS ama;".</summary>
    internal static string ScriptFor(string schema) => SchemaInStatements().Replace(Script.Value, schema);

    private static string LockedScript(string schema) => $"SELECT pg_advisory_xact_lock({AdvisoryLockKey}); {ScriptFor(schema)}";

    private static string ReadScript()
    {
        using var stream = typeof(StoreSchema).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException($"The embedded resource {ResourceName} is missing from the assembly.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    [GeneratedRegex("^[a-z_][a-z0-9_]{0,62}$")]
    private static partial Regex ValidName();

    // "ama" as a schema in a statement: before ".key_" or ending CREATE SCHEMA; never inside a comment's prose.
    [GeneratedRegex(@"\bama(?=\.key_|;)")]
    private static partial Regex SchemaInStatements();
}
