namespace Ama.Cryptography.PostgreSql.Internal;

/// <summary>The statements of the PostgreSQL backend, over the tables of Schema/ama-keystore.sql.</summary>
internal static class StoreSql
{
    /// <summary>The channel every commit notifies, with the store's name as payload.</summary>
    internal const string Channel = "ama_keystore";

    internal const string SelectStore = "SELECT generation, header, mac FROM ama.key_stores WHERE store_name = $1";

    internal const string SelectGeneration = "SELECT generation FROM ama.key_stores WHERE store_name = $1";

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

    /// <summary>lock_timeout for the rest of the transaction, in milliseconds.</summary>
    internal const string SetLockTimeout = "SELECT set_config('lock_timeout', $1, true)";
}
