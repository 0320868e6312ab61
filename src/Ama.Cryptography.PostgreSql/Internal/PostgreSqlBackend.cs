using System.Data;
using Ama.Cryptography.KeyManagement;
using Npgsql;

namespace Ama.Cryptography.PostgreSql.Internal;

/// <summary>
/// A key store in PostgreSQL: one row of key_stores (generation, header, MAC) and one row of
/// key_entries per key name, in the schema <see cref="Sql"/> addresses. Writers serialise on a row
/// lock of the store's row (SELECT ... FOR UPDATE) inside one transaction that also writes the
/// changed entry rows and notifies the other instances; readers read the store row and its entries
/// in one snapshot.
/// </summary>
internal sealed class PostgreSqlBackend : IKeyStoreBackend
{
    private readonly NpgsqlDataSource dataSource;
    private readonly string storeName;
    private readonly Lock cacheGate = new();
    private ChangeListener? listener;
    private StoredImage? last;

    internal PostgreSqlBackend(NpgsqlDataSource dataSource, string storeName, PostgreSqlKeyStoreOptions options)
    {
        this.dataSource = dataSource;
        this.storeName = storeName;
        Sql = StoreSql.For(options.Schema);
        LockTimeout = options.LockTimeout;
        Location = PostgreSqlErrors.Location(Sql.Schema, storeName);
        Binding = KeyStoreBinding.PostgreSql(Sql.Schema, storeName);
    }

    public string Location { get; }

    /// <summary>Gets the schema and store name, which the store's MAC binds: rows copied or renamed to another name or schema do not authenticate there.</summary>
    public KeyStoreBinding Binding { get; }

    internal TimeSpan LockTimeout { get; }

    internal StoreSql Sql { get; }

    public byte[] Read() => Guard(() =>
    {
        using var connection = StoreConnections.Open(dataSource);
        using var transaction = connection.BeginTransaction(IsolationLevel.RepeatableRead);
        var row = SelectStore(connection, Sql.SelectStore);
        var image = StoredImage.Read(connection, this, row);
        transaction.Commit();
        CheckUnchangedIfSameGeneration(image);
        Remember(image);
        return image.Image;
    });

    public async Task<byte[]> ReadAsync(CancellationToken cancellationToken)
    {
        try
        {
            await using var connection = await StoreConnections.OpenAsync(dataSource, cancellationToken).ConfigureAwait(false);
            await using var transaction = await connection.BeginTransactionAsync(IsolationLevel.RepeatableRead, cancellationToken).ConfigureAwait(false);
            StoreRow row;
            await using (var select = StoreCommand(connection, Sql.SelectStore))
            await using (var reader = await select.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
            {
                row = await StoreRow.FromAsync(reader, cancellationToken).ConfigureAwait(false) ?? throw StoreNotFound();
            }

            var image = await StoredImage.ReadAsync(connection, this, row, cancellationToken).ConfigureAwait(false);
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            CheckUnchangedIfSameGeneration(image);
            Remember(image);
            return image.Image;
        }
        catch (Exception e) when (PostgreSqlErrors.IsConnectionFailure(e))
        {
            throw ServerFailed(e);
        }
    }

    public void Create(byte[] image)
    {
        if (!TryCreate(image))
        {
            throw PostgreSqlErrors.StoreExists(Sql.Schema, storeName);
        }
    }

    /// <summary>Inserts the store row unless the store exists (INSERT ... ON CONFLICT DO NOTHING): of racing creators exactly one inserts.</summary>
    public bool TryCreate(byte[] image) => Guard<bool>(() =>
    {
        using var connection = StoreConnections.Open(dataSource);
        using var transaction = connection.BeginTransaction(IsolationLevel.ReadCommitted);
        var parts = KeyStoreFormat.Split(image);
        using (var insert = InsertCommand(connection, parts))
        {
            if (insert.ExecuteNonQuery() == 0)
            {
                return false;
            }
        }

        using (var notify = NotifyCommand(connection, parts.Generation))
        {
            notify.ExecuteNonQuery();
        }

        transaction.Commit();
        Remember(StoredImage.FromParts(parts, image));
        return true;
    });

    internal async Task CreateAsync(byte[] image, CancellationToken cancellationToken)
    {
        if (!await TryCreateAsync(image, cancellationToken).ConfigureAwait(false))
        {
            throw PostgreSqlErrors.StoreExists(Sql.Schema, storeName);
        }
    }

    internal async Task<bool> TryCreateAsync(byte[] image, CancellationToken cancellationToken)
    {
        try
        {
            await using var connection = await StoreConnections.OpenAsync(dataSource, cancellationToken).ConfigureAwait(false);
            await using var transaction = await connection.BeginTransactionAsync(IsolationLevel.ReadCommitted, cancellationToken).ConfigureAwait(false);
            var parts = KeyStoreFormat.Split(image);
            await using (var insert = InsertCommand(connection, parts))
            {
                if (await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 0)
                {
                    return false;
                }
            }

            await using (var notify = NotifyCommand(connection, parts.Generation))
            {
                await notify.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            Remember(StoredImage.FromParts(parts, image));
            return true;
        }
        catch (Exception e) when (PostgreSqlErrors.IsConnectionFailure(e))
        {
            throw ServerFailed(e);
        }
    }

    /// <summary>Whether the store's row exists: one row, one column, no entry row read.</summary>
    internal bool Exists(NpgsqlConnection connection)
    {
        using var select = StoreCommand(connection, Sql.SelectGeneration);
        return select.ExecuteScalar() is not null;
    }

    internal async Task<bool> ExistsAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        await using var select = StoreCommand(connection, Sql.SelectGeneration);
        return await select.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is not null;
    }

    public IKeyStoreWriter BeginWrite() => Guard(() => (IKeyStoreWriter)PostgreSqlWriter.Begin(this));

    public Task<IKeyStoreWriter> BeginWriteAsync(CancellationToken cancellationToken) => PostgreSqlWriter.BeginAsync(this, cancellationToken);

    /// <summary>Calls <paramref name="onChange"/> with the store's generation whenever, after an announcement or a lost notification connection, it is not the one this instance last read or wrote (<see cref="ChangeListener"/>).</summary>
    internal void Listen(Action<long> onChange) => listener = ChangeListener.Start(dataSource, this, onChange);

    public void Dispose() => listener?.Dispose();

    internal NpgsqlConnection OpenConnection() => StoreConnections.Open(dataSource);

    /// <summary>Whether <paramref name="generation"/>, announced by a commit, is not the one this instance last read or wrote: only then is a refresh needed.</summary>
    internal bool IsOtherThanKnown(long generation)
    {
        lock (cacheGate)
        {
            return last?.Generation != generation;
        }
    }

    internal string StoreName => storeName;

    internal NpgsqlDataSource DataSource => dataSource;

    /// <summary>How this store's commits are announced (<see cref="StoreSql.AnnouncementKey"/>).</summary>
    internal string AnnouncementKey => Sql.AnnouncementKey(storeName);

    internal KeyStoreException StoreNotFound() => PostgreSqlErrors.StoreNotFound(Sql.Schema, storeName);

    internal KeyStoreException ServerFailed(Exception e)
    {
        if (e is not NpgsqlException)
        {
            // The driver failed on a broken connection without marking it broken: keep it out of the pool.
            dataSource.Clear();
        }

        return PostgreSqlErrors.ServerFailed(Sql.Schema, storeName, e);
    }

    /// <summary>A command over this store's rows: its name is the first parameter.</summary>
    internal NpgsqlCommand StoreCommand(NpgsqlConnection connection, string sql) =>
        new(sql, connection) { Parameters = { new() { Value = storeName } } };

    /// <summary>The image last read or written, when its store row is still <paramref name="row"/>: a writer then need not read the entry rows again.</summary>
    internal StoredImage? Cached(StoreRow row)
    {
        lock (cacheGate)
        {
            return last is not null && last.HasSameStoreRow(row) ? last : null;
        }
    }

    /// <summary>
    /// Refuses rows that differ from the image this instance last read or wrote at the same
    /// generation. Each generation is committed exactly once, under the row lock, so the same
    /// generation with other bytes is an edit made outside the storage. The envelope authenticates
    /// only newer generations (it has already authenticated this one), so without this check an
    /// open instance would not notice a row changed in place until the next commit.
    /// </summary>
    /// <exception cref="KeyStoreDamagedException">The rows changed without a new generation.</exception>
    internal void CheckUnchangedIfSameGeneration(StoredImage image)
    {
        StoredImage? seen;
        lock (cacheGate)
        {
            seen = last;
        }

        if (seen is not null && seen.Generation == image.Generation && !seen.Image.AsSpan().SequenceEqual(image.Image))
        {
            throw PostgreSqlErrors.ChangedInPlace(Location, image.Generation);
        }
    }

    internal void Remember(StoredImage image)
    {
        lock (cacheGate)
        {
            last = image;
        }
    }

    internal StoreRow SelectStore(NpgsqlConnection connection, string sql)
    {
        using var select = StoreCommand(connection, sql);
        using var reader = select.ExecuteReader();
        return StoreRow.From(reader) ?? throw StoreNotFound();
    }

    internal NpgsqlCommand NotifyCommand(NpgsqlConnection connection, long generation) =>
        new(StoreSql.AnnounceCommit, connection) { Parameters = { new() { Value = StoreSql.Announcement(AnnouncementKey, generation) } } };

    /// <summary>Runs <paramref name="action"/>, turning the driver's and server's errors into a <see cref="KeyStoreException"/> that names the store.</summary>
    internal T Guard<T>(Func<T> action)
    {
        try
        {
            return action();
        }
        catch (Exception e) when (PostgreSqlErrors.IsConnectionFailure(e))
        {
            throw ServerFailed(e);
        }
    }

    private void Guard(Func<bool> action) => Guard<bool>(action);

    private NpgsqlCommand InsertCommand(NpgsqlConnection connection, ImageParts parts) => new(Sql.InsertStore, connection)
    {
        Parameters =
        {
            new() { Value = storeName },
            new() { Value = parts.Generation },
            new() { Value = parts.Header },
            new() { Value = parts.Trailer },
        },
    };
}
