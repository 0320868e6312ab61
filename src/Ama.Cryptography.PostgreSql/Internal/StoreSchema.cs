using Npgsql;

namespace Ama.Cryptography.PostgreSql.Internal;

/// <summary>Applies Schema/ama-keystore.sql, the same file the package ships for DBAs who manage migrations.</summary>
internal static class StoreSchema
{
    private const string ResourceName = "Ama.Cryptography.PostgreSql.Schema.ama-keystore.sql";

    // Any fixed 64-bit number: concurrent creators of the schema queue on it instead of racing
    // CREATE ... IF NOT EXISTS, which can fail with a unique violation when two run at once.
    private const long AdvisoryLockKey = 0x414D_414B_5331;

    // The script is applied only when a table is missing: even with IF NOT EXISTS, CREATE SCHEMA
    // needs the CREATE privilege on the database and COMMENT ON needs ownership, which an
    // application role on tables a DBA applied does not have (and need not have).
    private const string TablesExist = "SELECT to_regclass('ama.key_stores') IS NOT NULL AND to_regclass('ama.key_entries') IS NOT NULL";

    private static readonly Lazy<string> Script = new(ReadScript);

    internal static void Apply(NpgsqlConnection connection)
    {
        using (var exists = new NpgsqlCommand(TablesExist, connection))
        {
            if (exists.ExecuteScalar() is true)
            {
                return;
            }
        }

        using var transaction = connection.BeginTransaction();
        using (var command = new NpgsqlCommand($"SELECT pg_advisory_xact_lock({AdvisoryLockKey}); {Script.Value}", connection))
        {
            command.ExecuteNonQuery();
        }

        transaction.Commit();
    }

    internal static async Task ApplyAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        await using (var exists = new NpgsqlCommand(TablesExist, connection))
        {
            if (await exists.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is true)
            {
                return;
            }
        }

        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await using (var command = new NpgsqlCommand($"SELECT pg_advisory_xact_lock({AdvisoryLockKey}); {Script.Value}", connection))
        {
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    private static string ReadScript()
    {
        using var stream = typeof(StoreSchema).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException($"The embedded resource {ResourceName} is missing from the assembly.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
