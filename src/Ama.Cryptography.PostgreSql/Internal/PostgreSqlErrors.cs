using System.Globalization;
using Ama.Cryptography.KeyManagement;
using Npgsql;

namespace Ama.Cryptography.PostgreSql.Internal;

/// <summary>Every message of the PostgreSQL backend: what went wrong and with which store, never a key or a connection password.</summary>
internal static class PostgreSqlErrors
{
    /// <summary>How messages name a store: the schema only when it is not the default, so the usual case reads short.</summary>
    internal static string Location(string schema, string storeName) => schema == PostgreSqlKeyStorage.DefaultSchema
        ? Format("PostgreSQL store '{0}'", storeName)
        : Format("PostgreSQL store '{0}' (schema {1})", storeName, schema);

    internal static ArgumentException MultiplexingUnsupported(string paramName) => new(
        "The data source uses Multiplexing=true, which runs no synchronous command and cannot listen for other instances' commits; give the key store a data source without Multiplexing (another NpgsqlDataSource on the same database).", paramName);

    internal static ArgumentException PoolTooSmall(string paramName, int maxPoolSize, int minimum) => new(
        Format("The data source allows at most {0} pooled {1} (Maximum Pool Size={0}), and a key store needs at least {2}: while a storage is open, one connection listens for other instances' commits, and every read or write needs another. Set Maximum Pool Size={2} or more in the connection string (more if the application shares the data source), or Pooling=false.", maxPoolSize, maxPoolSize == 1 ? "connection" : "connections", minimum),
        paramName);

    internal static ArgumentException InvalidSchemaName(string paramName) => new(
        "A schema name is 1 to 63 characters of a-z, 0-9 and '_', starts with a letter or '_', and does not start with 'pg_'.", paramName);

    internal static ArgumentOutOfRangeException InvalidLockTimeout(string paramName, TimeSpan value) => new(
        paramName, Format("The lock timeout must be between 1 ms and 24 hours; it was {0}.", value));

    internal static ArgumentException InvalidStoreName(string paramName) => new(
        "A store name is 1 to 128 characters of A-Z, a-z, 0-9, '.', '_' and '-'.", paramName);

    internal static KeyStoreException StoreNotFound(string schema, string storeName) => new(
        Format("There is no key store named '{0}' in the database (schema {1}). Create it first: PostgreSqlKeyStorage.Create, or 'ama keystore create --store {0}'.", storeName, schema));

    internal static IOException StoreExists(string schema, string storeName) => new(
        Format("A key store named '{0}' already exists in the database (schema {1}); open it, or choose another name. Nothing was changed.", storeName, schema));

    internal static KeyStoreDamagedException ChangedInPlace(string location, long generation) => new(
        Format("The {0} is damaged: its rows changed without a new commit (generation {1} no longer holds what was committed as generation {1}). Restore it from a backup.", location, generation));

    // The name comes from the table, so it is quoted only when it is a valid key name (no control characters, at most 128 of them).
    internal static KeyStoreDamagedException DuplicateKeyName(string keyName) => new(
        Format("The key store is damaged: two entry rows have the key name {0} (the table's primary key was dropped or bypassed). Restore it from a backup.", KeyNames.IsValid(keyName) ? "'" + keyName + "'" : "(not a valid key name)"));

    internal static KeyStoreDamagedException EntriesTooLarge(long limit) => new(
        Format("The key store is damaged: its entry rows add up to more than the {0} bytes a key store can hold. Restore it from a backup.", limit));

    internal static KeyStoreException ServerFailed(string schema, string storeName, Exception inner) => inner is NpgsqlException driver
        ? ServerFailed(schema, storeName, driver)
        : new(Format("The {0} could not be read or written: the connection failed inside the driver ({1}).", Location(schema, storeName), inner.GetType().Name), inner);

    /// <summary>
    /// An error of the server or the connection: an <see cref="NpgsqlException"/>, or an exception Npgsql's own
    /// code threw on a connection broken under it (a NullReferenceException was seen while the server was killed
    /// mid-command). Either way the store was not read or written as asked, and the caller may retry.
    /// </summary>
    internal static bool IsConnectionFailure(Exception e) => e is NpgsqlException
        || (e is NullReferenceException or InvalidOperationException or ObjectDisposedException or IOException
            && e.Source == "Npgsql");

    private static KeyStoreException ServerFailed(string schema, string storeName, NpgsqlException inner) => IsMissingTables(inner)
        ? TablesMissing(schema, storeName, inner)
        : new(Format("The {0} could not be read or written: {1}", Location(schema, storeName), Describe(inner)), inner);

    private static KeyStoreException TablesMissing(string schema, string storeName, NpgsqlException inner) => new(
        Format("There is no key store named '{0}': this database has no key store tables in schema {1} ({1}.key_stores, {1}.key_entries). Create the store (PostgreSqlKeyStorage.Create, or 'ama keystore create --store {0}'), which applies them, or apply Schema/ama-keystore.sql from the package. Check that the connection string names the right database and that the schema is the right one.", storeName, schema),
        inner);

    // 42P01 undefined_table, 3F000 invalid_schema_name: the schema file was never applied to this database.
    private static bool IsMissingTables(NpgsqlException e) => e is PostgresException { SqlState: "42P01" or "3F000" };

    private static string Describe(NpgsqlException e) => e is PostgresException server
        ? Format("the server said {0} ({1}).", server.MessageText, server.SqlState)
        : Format("{0}", e.Message.EndsWith('.') ? e.Message : e.Message + ".");

    private static string Format(string format, params object[] args) => string.Format(CultureInfo.InvariantCulture, format, args);
}
