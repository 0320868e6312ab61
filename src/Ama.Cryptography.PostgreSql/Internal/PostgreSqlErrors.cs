using System.Globalization;
using Ama.Cryptography.KeyManagement;
using Npgsql;

namespace Ama.Cryptography.PostgreSql.Internal;

/// <summary>Every message of the PostgreSQL backend: what went wrong and with which store, never a key or a connection password.</summary>
internal static class PostgreSqlErrors
{
    internal static string Location(string storeName) => Format("PostgreSQL store '{0}'", storeName);

    internal static ArgumentException InvalidStoreName(string paramName) => new(
        "A store name is 1 to 128 characters of A-Z, a-z, 0-9, '.', '_' and '-'.", paramName);

    internal static KeyStoreException StoreNotFound(string storeName) => new(
        Format("There is no key store named '{0}' in the database (schema ama). Create it with PostgreSqlKeyStorage.Create.", storeName));

    internal static IOException StoreExists(string storeName) => new(
        Format("A key store named '{0}' already exists in the database; open it, or choose another name. Nothing was changed.", storeName));

    internal static KeyStoreDamagedException ChangedInPlace(string storeName, long generation) => new(
        Format("The PostgreSQL store '{0}' is damaged: its rows changed without a new commit (generation {1} no longer holds what was committed as generation {1}). Restore it from a backup.", storeName, generation));

    internal static KeyStoreException ServerFailed(string storeName, NpgsqlException inner) => IsMissingTables(inner)
        ? TablesMissing(storeName, inner)
        : new(Format("The PostgreSQL store '{0}' could not be read or written: {1}", storeName, Describe(inner)), inner);

    private static KeyStoreException TablesMissing(string storeName, NpgsqlException inner) => new(
        Format("There is no key store named '{0}': this database has no key store tables (ama.key_stores, ama.key_entries). Create the store with PostgreSqlKeyStorage.Create, which applies them, or apply Schema/ama-keystore.sql from the package. Check that the connection string names the right database.", storeName),
        inner);

    // 42P01 undefined_table, 3F000 invalid_schema_name: the schema file was never applied to this database.
    private static bool IsMissingTables(NpgsqlException e) => e is PostgresException { SqlState: "42P01" or "3F000" };

    private static string Describe(NpgsqlException e) => e is PostgresException server
        ? Format("the server said {0} ({1}).", server.MessageText, server.SqlState)
        : Format("{0}", e.Message.EndsWith('.') ? e.Message : e.Message + ".");

    private static string Format(string format, params object[] args) => string.Format(CultureInfo.InvariantCulture, format, args);
}
