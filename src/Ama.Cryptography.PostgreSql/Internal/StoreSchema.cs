using Npgsql;

namespace Ama.Cryptography.PostgreSql.Internal;

/// <summary>Applies Schema/ama-keystore.sql, the same file the package ships for DBAs who manage migrations.</summary>
internal static class StoreSchema
{
    private const string ResourceName = "Ama.Cryptography.PostgreSql.Schema.ama-keystore.sql";

    // Any fixed 64-bit number: concurrent creators of the schema queue on it instead of racing
    // CREATE ... IF NOT EXISTS, which can fail with a unique violation when two run at once.
    private const long AdvisoryLockKey = 0x414D_414B_5331;

    private static readonly Lazy<string> Script = new(ReadScript);

    internal static void Apply(NpgsqlConnection connection)
    {
        using var transaction = connection.BeginTransaction();
        using (var command = new NpgsqlCommand($"SELECT pg_advisory_xact_lock({AdvisoryLockKey}); {Script.Value}", connection))
        {
            command.ExecuteNonQuery();
        }

        transaction.Commit();
    }

    internal static async Task ApplyAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
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
