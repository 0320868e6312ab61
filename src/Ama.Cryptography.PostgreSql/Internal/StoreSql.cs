namespace Ama.Cryptography.PostgreSql.Internal;

/// <summary>The statements of the PostgreSQL backend, over the tables of Schema/ama-keystore.sql in one schema.</summary>
internal sealed class StoreSql
{
    /// <summary>The channel every commit notifies, with <see cref="Announcement"/> as payload.</summary>
    internal const string Channel = "ama_keystore";

    /// <summary>
    /// The last statement of every write transaction, before COMMIT: it announces the commit ($1 is
    /// the <see cref="Announcement"/>) and makes that COMMIT durable. One statement for both, so that
    /// no write path can do one without the other, and no round trip is added.
    /// </summary>
    /// <remarks>
    /// <para>
    /// synchronous_commit is whatever postgresql.conf, ALTER DATABASE/ROLE ... SET or the client's
    /// options make it. With <c>off</c> the server acknowledges a COMMIT before its WAL is flushed (with
    /// <c>local</c>, before the synchronous standbys have it): a crash then loses acknowledged writes,
    /// and once other writers have committed past them no generation check can tell. So the
    /// transaction sets it itself, for itself only (is_local = true, as SET LOCAL).
    /// </para>
    /// <para>
    /// <c>on</c>: COMMIT returns once the WAL is flushed on this server, and also on the synchronous
    /// standbys when synchronous_standby_names names any. <c>local</c> or <c>remote_write</c> would
    /// drop an operator's synchronous standbys to less; <c>remote_apply</c> (also waiting until the
    /// standbys have replayed the commit) only matters to readers on a standby, which the store never
    /// reads from, so it is kept when the session already has it and not imposed otherwise.
    /// </para>
    /// </remarks>
    internal const string AnnounceCommit =
        "SELECT pg_notify('" + Channel + "', $1), " +
        "set_config('synchronous_commit', CASE current_setting('synchronous_commit') WHEN 'remote_apply' THEN 'remote_apply' ELSE 'on' END, true)";

    internal const string Listen = "LISTEN " + Channel;

    /// <summary>Ends this session's listening: the server then queues no notification for it (the listener's answer to a flood).</summary>
    internal const string Unlisten = "UNLISTEN " + Channel;

    /// <summary>lock_timeout for the rest of the transaction, in milliseconds.</summary>
    internal const string SetLockTimeout = "SELECT set_config('lock_timeout', $1, true)";

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, StoreSql> BySchema = new(StringComparer.Ordinal);

    // The schema is a validated lower-case identifier (StoreSchema.IsValidName), so it needs no quoting:
    // unquoted, PostgreSQL reads it exactly as a DBA who typed it in psql would.
    private StoreSql(string schema)
    {
        Schema = schema;
        SelectStore = $"SELECT generation, header, mac FROM {schema}.key_stores WHERE store_name = $1";
        SelectStoreForUpdate = SelectStore + " FOR UPDATE";
        SelectGeneration = $"SELECT generation FROM {schema}.key_stores WHERE store_name = $1";
        SelectEntries = $"SELECT key_name, record FROM {schema}.key_entries WHERE store_name = $1 ORDER BY key_name COLLATE \"C\"";
        InsertStore = $"INSERT INTO {schema}.key_stores (store_name, generation, header, mac) VALUES ($1, $2, $3, $4) ON CONFLICT (store_name) DO NOTHING";
        UpdateStore = $"UPDATE {schema}.key_stores SET generation = $2, header = $3, mac = $4 WHERE store_name = $1";
        UpsertEntries =
            $"INSERT INTO {schema}.key_entries (store_name, key_name, record) SELECT $1, n, r FROM unnest($2::text[], $3::bytea[]) AS u(n, r) " +
            "ON CONFLICT (store_name, key_name) DO UPDATE SET record = EXCLUDED.record";
        DeleteEntries = $"DELETE FROM {schema}.key_entries WHERE store_name = $1 AND key_name = ANY($2::text[])";
        TablesExist = $"SELECT to_regclass('{schema}.key_stores') IS NOT NULL AND to_regclass('{schema}.key_entries') IS NOT NULL";
    }

    internal string Schema { get; }

    internal string SelectStore { get; }

    internal string SelectStoreForUpdate { get; }

    /// <summary>The listener's check before any full read: one row, one column, no entry row.</summary>
    internal string SelectGeneration { get; }

    internal string SelectEntries { get; }

    internal string InsertStore { get; }

    internal string UpdateStore { get; }

    internal string UpsertEntries { get; }

    internal string DeleteEntries { get; }

    internal string TablesExist { get; }

    /// <summary>The statements for <paramref name="schema"/>; the same instance (and so the same SQL text, which Npgsql prepares once per connection) every time.</summary>
    internal static StoreSql For(string schema) => BySchema.GetOrAdd(schema, s => new StoreSql(s));

    /// <summary>
    /// How announcements name a store: schema and store name. A schema name has no '.' and a store
    /// name no ' ', so "schema.store generation" reads back unambiguously.
    /// </summary>
    internal string AnnouncementKey(string storeName) => Schema + "." + storeName;

    /// <summary>A commit's announcement: the store and the generation it committed, so a listener that already holds that generation does nothing.</summary>
    internal static string Announcement(string storeKey, long generation) =>
        storeKey + " " + generation.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Reads an announcement back; false for another store's or a malformed one.</summary>
    internal static bool TryReadAnnouncement(string payload, string storeKey, out long generation)
    {
        generation = 0;
        return payload.Length > storeKey.Length + 1
            && payload.StartsWith(storeKey, StringComparison.Ordinal)
            && payload[storeKey.Length] == ' '
            && long.TryParse(payload.AsSpan(storeKey.Length + 1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out generation);
    }
}
