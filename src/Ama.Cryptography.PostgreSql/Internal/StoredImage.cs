using Ama.Cryptography.KeyManagement;
using Npgsql;

namespace Ama.Cryptography.PostgreSql.Internal;

/// <summary>A store's rows as last read or written: the pieces, and the image they join into.</summary>
internal sealed class StoredImage
{
    private StoredImage(long generation, byte[] header, byte[] mac, IReadOnlyList<ImageRecord> records, byte[] image)
    {
        Generation = generation;
        Header = header;
        Mac = mac;
        Records = new Dictionary<string, byte[]>(records.Count, StringComparer.Ordinal);
        foreach (var record in records)
        {
            // The primary key forbids two rows of one name, but a table owner can drop it: that is damage too.
            if (!Records.TryAdd(record.Name, record.Bytes))
            {
                throw PostgreSqlErrors.DuplicateKeyName(record.Name);
            }
        }

        Image = image;
    }

    internal long Generation { get; }

    internal byte[] Header { get; }

    internal byte[] Mac { get; }

    internal Dictionary<string, byte[]> Records { get; }

    internal byte[] Image { get; }

    private static StoredImage Join(StoreRow storeRow, List<ImageRecord> records) =>
        new(storeRow.Generation, storeRow.Header, storeRow.Mac, records, KeyStoreFormat.Join(storeRow.Generation, storeRow.Header, records, storeRow.Mac));

    internal static StoredImage FromParts(ImageParts parts, byte[] image) =>
        new(parts.Generation, parts.Header, parts.Trailer, parts.Records, image);

    /// <summary>Reads the entry rows of a store whose row is <paramref name="storeRow"/>, in the same transaction, and joins them.</summary>
    internal static StoredImage Read(NpgsqlConnection connection, PostgreSqlBackend store, StoreRow storeRow)
    {
        var records = new List<ImageRecord>();
        long total = 0;
        using (var select = store.StoreCommand(connection, store.Sql.SelectEntries))
        using (var reader = select.ExecuteReader())
        {
            while (reader.Read())
            {
                records.Add(Record(reader, ref total));
            }
        }

        return Join(storeRow, records);
    }

    /// <summary>As <see cref="Read"/>, asynchronously.</summary>
    internal static async Task<StoredImage> ReadAsync(NpgsqlConnection connection, PostgreSqlBackend store, StoreRow storeRow, CancellationToken cancellationToken)
    {
        var records = new List<ImageRecord>();
        long total = 0;
        await using (var select = store.StoreCommand(connection, store.Sql.SelectEntries))
        await using (var reader = await select.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
        {
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                records.Add(Record(reader, ref total));
            }
        }

        return Join(storeRow, records);
    }

    /// <summary>
    /// One entry row. The rows' sizes are added up as they arrive, so that rows grown beyond what a
    /// store can hold stop the read at the first row past the limit instead of all being held first.
    /// </summary>
    private static ImageRecord Record(NpgsqlDataReader reader, ref long total)
    {
        var record = new ImageRecord(reader.GetString(0), reader.GetFieldValue<byte[]>(1));
        total += record.Bytes.Length;
        return total <= KeyStoreFormat.MaxFileLength
            ? record
            : throw PostgreSqlErrors.EntriesTooLarge(KeyStoreFormat.MaxFileLength);
    }

    /// <summary>Whether the store row read under the lock is the one this image was read from or written as.</summary>
    internal bool HasSameStoreRow(StoreRow storeRow) =>
        storeRow.Generation == Generation && storeRow.Header.AsSpan().SequenceEqual(Header) && storeRow.Mac.AsSpan().SequenceEqual(Mac);
}
