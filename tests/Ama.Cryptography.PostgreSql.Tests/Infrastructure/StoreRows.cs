using System.Security.Cryptography;
using Npgsql;

namespace Ama.Cryptography.PostgreSql.Tests.Infrastructure;

/// <summary>
/// Every row of one store, read and written back with plain SQL, as a role that may write the
/// tables but has no key would do it: edited in place, copied under another store name or schema,
/// or put back as an older image. <see cref="FixChecksum"/> recomputes the unkeyed SHA-256 at the
/// end of the mac column, so that an edit reaches the checks behind it.
/// </summary>
public sealed class StoreRows
{
    private StoreRows(long generation, byte[] header, byte[] mac, List<(string Name, byte[] Record)> entries)
    {
        Generation = generation;
        Header = header;
        Mac = mac;
        Entries = entries;
    }

    public long Generation { get; set; }

    public byte[] Header { get; set; }

    /// <summary>The mac column: the whole-store MAC (32 bytes), then the SHA-256 checksum (32 bytes).</summary>
    public byte[] Mac { get; set; }

    /// <summary>The entry rows, in the order the store reads them (key_name in C collation).</summary>
    public List<(string Name, byte[] Record)> Entries { get; }

    /// <summary>The rows joined the way the store joins them: header, records, mac column.</summary>
    public byte[] Image => [.. Header, .. Entries.SelectMany(e => e.Record), .. Mac];

    /// <summary>Rows made by hand: from a fixture, or from an image cut into its pieces.</summary>
    public static StoreRows Of(long generation, byte[] header, List<(string Name, byte[] Record)> entries, byte[] mac) =>
        new(generation, header, mac, entries);

    public static StoreRows Read(PostgresServer server, string schema, string store)
    {
        using var connection = Open(server);
        using var transaction = connection.BeginTransaction(System.Data.IsolationLevel.RepeatableRead);
        long generation;
        byte[] header;
        byte[] mac;
        using (var select = Command(connection, $"SELECT generation, header, mac FROM {schema}.key_stores WHERE store_name = $1", store))
        using (var reader = select.ExecuteReader())
        {
            if (!reader.Read())
            {
                throw new InvalidOperationException($"There is no store '{store}' in schema {schema}.");
            }

            generation = reader.GetInt64(0);
            header = reader.GetFieldValue<byte[]>(1);
            mac = reader.GetFieldValue<byte[]>(2);
        }

        var entries = new List<(string, byte[])>();
        using (var select = Command(connection, $"SELECT key_name, record FROM {schema}.key_entries WHERE store_name = $1 ORDER BY key_name COLLATE \"C\"", store))
        using (var reader = select.ExecuteReader())
        {
            while (reader.Read())
            {
                entries.Add((reader.GetString(0), reader.GetFieldValue<byte[]>(1)));
            }
        }

        transaction.Commit();
        return new StoreRows(generation, header, mac, entries);
    }

    public StoreRows Clone() => new(Generation, (byte[])Header.Clone(), (byte[])Mac.Clone(), [.. Entries.Select(e => (e.Name, (byte[])e.Record.Clone()))]);

    /// <summary>The record of one key name; edits to it change these rows.</summary>
    public byte[] Record(string keyName) => Entries.Single(e => e.Name == keyName).Record;

    /// <summary>Recomputes the checksum (the mac column's last 32 bytes) over everything before it, as an attacker can: it is not keyed.</summary>
    public StoreRows FixChecksum()
    {
        if (Mac.Length >= 32)
        {
            byte[] image = Image;
            SHA256.HashData(image.AsSpan(0, image.Length - 32), Mac.AsSpan(Mac.Length - 32));
        }

        return this;
    }

    /// <summary>
    /// Makes these the rows of <paramref name="store"/> in <paramref name="schema"/>, in one
    /// transaction: the store row is inserted or overwritten, its entry rows replaced. No NOTIFY is
    /// sent, as none would be by a hand-made edit.
    /// </summary>
    public void Write(PostgresServer server, string schema, string store)
    {
        using var connection = Open(server);
        using var transaction = connection.BeginTransaction();
        Execute(
            connection,
            $"INSERT INTO {schema}.key_stores (store_name, generation, header, mac) VALUES ($1, $2, $3, $4) " +
            "ON CONFLICT (store_name) DO UPDATE SET generation = EXCLUDED.generation, header = EXCLUDED.header, mac = EXCLUDED.mac",
            store,
            Generation,
            Header,
            Mac);
        Execute(connection, $"DELETE FROM {schema}.key_entries WHERE store_name = $1", store);
        Execute(
            connection,
            $"INSERT INTO {schema}.key_entries (store_name, key_name, record) SELECT $1, n, r FROM unnest($2::text[], $3::bytea[]) AS u(n, r)",
            store,
            Entries.Select(e => e.Name).ToArray(),
            Entries.Select(e => e.Record).ToArray());
        transaction.Commit();
    }

    private static NpgsqlConnection Open(PostgresServer server)
    {
        var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(server.ConnectionString) { Pooling = false }.ConnectionString);
        connection.Open();
        return connection;
    }

    private static void Execute(NpgsqlConnection connection, string sql, params object[] parameters)
    {
        using var command = Command(connection, sql, parameters);
        command.ExecuteNonQuery();
    }

    private static NpgsqlCommand Command(NpgsqlConnection connection, string sql, params object[] parameters)
    {
#pragma warning disable CA2100 // The tests' own SQL, with the schema name of a TestSchema or "ama".
        var command = new NpgsqlCommand(sql, connection);
#pragma warning restore CA2100
        foreach (object parameter in parameters)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = parameter });
        }

        return command;
    }
}
