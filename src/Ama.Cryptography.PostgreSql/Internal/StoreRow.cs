using Npgsql;

namespace Ama.Cryptography.PostgreSql.Internal;

/// <summary>The row of ama.key_stores for one store: its generation, header and whole-image MAC.</summary>
internal sealed record StoreRow(long Generation, byte[] Header, byte[] Mac)
{
    internal static StoreRow? From(NpgsqlDataReader reader) =>
        reader.Read() ? new StoreRow(reader.GetInt64(0), reader.GetFieldValue<byte[]>(1), reader.GetFieldValue<byte[]>(2)) : null;

    internal static async Task<StoreRow?> FromAsync(NpgsqlDataReader reader, CancellationToken cancellationToken) =>
        await reader.ReadAsync(cancellationToken).ConfigureAwait(false)
            ? new StoreRow(reader.GetInt64(0), reader.GetFieldValue<byte[]>(1), reader.GetFieldValue<byte[]>(2))
            : null;
}
