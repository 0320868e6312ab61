using Ama.Cryptography.PostgreSql.Internal;

namespace Ama.Cryptography.KeyManagement;

/// <summary>Where in the database <see cref="PostgreSqlKeyStorage"/> keeps its stores, and how long a writer waits for another.</summary>
public sealed class PostgreSqlKeyStoreOptions
{
    private string schema = PostgreSqlKeyStorage.DefaultSchema;
    private TimeSpan lockTimeout = PostgreSqlKeyStorage.DefaultLockTimeout;

    /// <summary>
    /// Gets or sets the schema of the two tables; <c>ama</c> by default. 1 to 63 characters of a-z,
    /// 0-9 and '_', starting with a letter or '_' and not with <c>pg_</c>: lower case, so that the
    /// name means the same unquoted in a DBA's script. Stores in different schemas are separate.
    /// </summary>
    /// <exception cref="ArgumentException">The name is not such an identifier.</exception>
    public string Schema
    {
        get => schema;
        set => schema = StoreSchema.IsValidName(value) ? value : throw PostgreSqlErrors.InvalidSchemaName(nameof(value));
    }

    /// <summary>Gets or sets how long a writer waits for another writer's lock before it fails; 30 s by default, 1 ms to 24 h.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The time is outside 1 ms to 24 h.</exception>
    public TimeSpan LockTimeout
    {
        get => lockTimeout;
        set => lockTimeout = value >= TimeSpan.FromMilliseconds(1) && value <= TimeSpan.FromHours(24)
            ? value
            : throw PostgreSqlErrors.InvalidLockTimeout(nameof(value), value);
    }
}
