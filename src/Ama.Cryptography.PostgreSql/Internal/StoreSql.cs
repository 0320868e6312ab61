namespace Ama.Cryptography.PostgreSql.Internal;

/// <summary>The statements of the PostgreSQL backend, over the tables of Schema/ama-keystore.sql.</summary>
internal static class StoreSql
{
    /// <summary>The channel every commit notifies, with <see cref="Announcement"/> as payload.</summary>
    internal const string Channel = "ama_keystore";

    internal const string SelectStore = "SELECT generation, header, mac FROM ama.key_stores WHERE store_name = $1";

    internal const string SelectStoreForUpdate = SelectStore + " FOR UPDATE";

    internal const string SelectEntries = "SELECT key_name, record FROM ama.key_entries WHERE store_name = $1 ORDER BY key_name COLLATE \"C\"";

    internal const string InsertStore =
        "INSERT INTO ama.key_stores (store_name, generation, header, mac) VALUES ($1, $2, $3, $4) ON CONFLICT (store_name) DO NOTHING";

    internal const string UpdateStore = "UPDATE ama.key_stores SET generation = $2, header = $3, mac = $4 WHERE store_name = $1";

    internal const string UpsertEntries =
        "INSERT INTO ama.key_entries (store_name, key_name, record) SELECT $1, n, r FROM unnest($2::text[], $3::bytea[]) AS u(n, r) " +
        "ON CONFLICT (store_name, key_name) DO UPDATE SET record = EXCLUDED.record";

    internal const string DeleteEntries = "DELETE FROM ama.key_entries WHERE store_name = $1 AND key_name = ANY($2::text[])";

    internal const string Notify = "SELECT pg_notify('" + Channel + "', $1)";

    internal const string Listen = "LISTEN " + Channel;

    /// <summary>A commit's announcement: the store's name and the generation it committed, so a listener that already holds that generation does nothing.</summary>
    internal static string Announcement(string storeName, long generation) =>
        storeName + " " + generation.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Reads an announcement back; false for another store's or a malformed one.</summary>
    internal static bool TryReadAnnouncement(string payload, string storeName, out long generation)
    {
        generation = 0;
        return payload.Length > storeName.Length + 1
            && payload.StartsWith(storeName, StringComparison.Ordinal)
            && payload[storeName.Length] == ' '
            && long.TryParse(payload.AsSpan(storeName.Length + 1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out generation);
    }

    /// <summary>lock_timeout for the rest of the transaction, in milliseconds.</summary>
    internal const string SetLockTimeout = "SELECT set_config('lock_timeout', $1, true)";
}
