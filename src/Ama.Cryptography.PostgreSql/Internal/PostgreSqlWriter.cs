using System.Globalization;
using Ama.Cryptography.KeyManagement;
using Npgsql;

namespace Ama.Cryptography.PostgreSql.Internal;

/// <summary>
/// One write: a transaction holding the row lock of the store's row from <see cref="Begin"/> to
/// <see cref="Commit"/>, so no other writer anywhere commits in between and no update is lost.
/// Commit writes only the entry rows whose bytes changed, the store row, and a notification, and
/// its COMMIT returns only once the transaction is flushed (<see cref="StoreSql.AnnounceCommit"/>):
/// an acknowledged write survives a crash whatever synchronous_commit the server or role sets.
/// </summary>
/// <remarks>
/// BEGIN and COMMIT travel in the batches themselves, so a write with a cached image is two round
/// trips. A writer disposed without committing returns its connection to the pool, which rolls the
/// open transaction back (and so releases the lock) before anyone else gets the connection.
/// </remarks>
internal sealed class PostgreSqlWriter : IKeyStoreWriter
{
    private readonly PostgreSqlBackend backend;
    private readonly NpgsqlConnection connection;
    private StoredImage current = null!;

    private PostgreSqlWriter(PostgreSqlBackend backend, NpgsqlConnection connection)
    {
        this.backend = backend;
        this.connection = connection;
    }

    internal static PostgreSqlWriter Begin(PostgreSqlBackend backend)
    {
        var connection = backend.OpenConnection();
        try
        {
            var writer = new PostgreSqlWriter(backend, connection);
            writer.Lock();
            return writer;
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    /// <summary>As <see cref="Begin"/>, with the connection, the lock wait and the read asynchronous.</summary>
    internal static async Task<IKeyStoreWriter> BeginAsync(PostgreSqlBackend backend, CancellationToken cancellationToken)
    {
        NpgsqlConnection connection;
        try
        {
            connection = await StoreConnections.OpenAsync(backend.DataSource, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (PostgreSqlErrors.IsConnectionFailure(e))
        {
            throw backend.ServerFailed(e);
        }

        try
        {
            var writer = new PostgreSqlWriter(backend, connection);
            await writer.LockAsync(cancellationToken).ConfigureAwait(false);
            return writer;
        }
        catch (Exception e) when (PostgreSqlErrors.IsConnectionFailure(e))
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw backend.ServerFailed(e);
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    public byte[] Read() => current.Image;

    /// <summary>One round trip: the changed entry rows, the store row, the notification (which also makes the commit durable) and COMMIT.</summary>
    public void Commit(ReadOnlyMemory<byte> written) => backend.Guard(() =>
    {
        var (batch, next) = CommitBatch(written);
        using (batch)
        {
            batch.Prepare();
            batch.ExecuteNonQuery();
        }

        backend.Remember(next);
        return true;
    });

    /// <summary>As <see cref="Commit"/>, with the round trip asynchronous.</summary>
    public async Task CommitAsync(ReadOnlyMemory<byte> written)
    {
        try
        {
            var (batch, next) = CommitBatch(written);
            await using (batch.ConfigureAwait(false))
            {
                await batch.PrepareAsync().ConfigureAwait(false);
                await batch.ExecuteNonQueryAsync().ConfigureAwait(false);
            }

            backend.Remember(next);
        }
        catch (Exception e) when (PostgreSqlErrors.IsConnectionFailure(e))
        {
            throw backend.ServerFailed(e);
        }
    }

    public void Dispose() => connection.Dispose();

    /// <summary>Waits (at most the lock timeout) for the store's row lock, then reads the store as it is under the lock; one round trip when the cache holds the store.</summary>
    private void Lock()
    {
        StoreRow row;
        using (var batch = LockBatch())
        {
            batch.Prepare();
            using var reader = batch.ExecuteReader();
            reader.NextResult();
            row = StoreRow.From(reader) ?? throw backend.StoreNotFound();
        }

        current = backend.Cached(row) ?? Checked(StoredImage.Read(connection, backend, row));
    }

    private async Task LockAsync(CancellationToken cancellationToken)
    {
        StoreRow row;
        var batch = LockBatch();
        await using (batch.ConfigureAwait(false))
        {
            await batch.PrepareAsync(cancellationToken).ConfigureAwait(false);
            var reader = await batch.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await using (reader.ConfigureAwait(false))
            {
                await reader.NextResultAsync(cancellationToken).ConfigureAwait(false);
                row = await StoreRow.FromAsync(reader, cancellationToken).ConfigureAwait(false) ?? throw backend.StoreNotFound();
            }
        }

        current = backend.Cached(row) ?? Checked(await StoredImage.ReadAsync(connection, backend, row, cancellationToken).ConfigureAwait(false));
    }

    /// <summary>BEGIN, the lock timeout, and SELECT ... FOR UPDATE of the store's row, in one batch: server-side prepared, so a connection plans them once.</summary>
    private NpgsqlBatch LockBatch()
    {
        string timeout = ((long)backend.LockTimeout.TotalMilliseconds).ToString(CultureInfo.InvariantCulture);
        var batch = new NpgsqlBatch(connection);
        batch.BatchCommands.Add(new NpgsqlBatchCommand("BEGIN ISOLATION LEVEL READ COMMITTED"));
        batch.BatchCommands.Add(Command(StoreSql.SetLockTimeout, timeout));
        batch.BatchCommands.Add(Command(backend.Sql.SelectStoreForUpdate, backend.StoreName));
        return batch;
    }

    /// <summary>The changed entry rows, the store row, the notification and COMMIT, for the image the storage lent (copied: the cache keeps it, and the storage writes its next image into the same memory).</summary>
    private (NpgsqlBatch Batch, StoredImage Next) CommitBatch(ReadOnlyMemory<byte> written)
    {
        byte[] image = written.ToArray();
        var parts = KeyStoreFormat.Split(image);
        var next = StoredImage.FromParts(parts, image);
        var batch = new NpgsqlBatch(connection);
        AddChangedEntries(batch, next);
        batch.BatchCommands.Add(Command(backend.Sql.UpdateStore, backend.StoreName, parts.Generation, parts.Header, parts.Trailer));
        batch.BatchCommands.Add(Command(StoreSql.AnnounceCommit, StoreSql.Announcement(backend.AnnouncementKey, parts.Generation)));
        batch.BatchCommands.Add(new NpgsqlBatchCommand("COMMIT"));
        return (batch, next);
    }

    private StoredImage Checked(StoredImage image)
    {
        backend.CheckUnchangedIfSameGeneration(image);
        return image;
    }

    private void AddChangedEntries(NpgsqlBatch batch, StoredImage next)
    {
        var changed = next.Records.Where(r => !current.Records.TryGetValue(r.Key, out var old) || !old.AsSpan().SequenceEqual(r.Value)).ToList();
        string[] removed = [.. current.Records.Keys.Where(name => !next.Records.ContainsKey(name))];
        if (changed.Count > 0)
        {
            batch.BatchCommands.Add(Command(backend.Sql.UpsertEntries, backend.StoreName, changed.Select(r => r.Key).ToArray(), changed.Select(r => r.Value).ToArray()));
        }

        if (removed.Length > 0)
        {
            batch.BatchCommands.Add(Command(backend.Sql.DeleteEntries, backend.StoreName, removed));
        }
    }

    private static NpgsqlBatchCommand Command(string sql, params object[] parameters)
    {
        var command = new NpgsqlBatchCommand(sql);
        foreach (object value in parameters)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = value });
        }

        return command;
    }
}
