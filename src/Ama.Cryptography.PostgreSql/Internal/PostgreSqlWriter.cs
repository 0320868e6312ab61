using System.Data;
using System.Globalization;
using Ama.Cryptography.KeyManagement;
using Npgsql;

namespace Ama.Cryptography.PostgreSql.Internal;

/// <summary>
/// One write: a transaction holding the row lock of the store's row from <see cref="Begin"/> to
/// <see cref="Commit"/>, so no other writer anywhere commits in between and no update is lost.
/// Commit writes only the entry rows whose bytes changed, the store row, and a notification.
/// </summary>
internal sealed class PostgreSqlWriter : IKeyStoreWriter
{
    private readonly PostgreSqlBackend backend;
    private readonly NpgsqlConnection connection;
    private readonly NpgsqlTransaction transaction;
    private StoredImage current = null!;

    private PostgreSqlWriter(PostgreSqlBackend backend, NpgsqlConnection connection, NpgsqlTransaction transaction)
    {
        this.backend = backend;
        this.connection = connection;
        this.transaction = transaction;
    }

    internal static PostgreSqlWriter Begin(PostgreSqlBackend backend)
    {
        var connection = backend.OpenConnection();
        NpgsqlTransaction? transaction = null;
        try
        {
            transaction = connection.BeginTransaction(IsolationLevel.ReadCommitted);
            var writer = new PostgreSqlWriter(backend, connection, transaction);
            writer.Lock();
            return writer;
        }
        catch
        {
            transaction?.Dispose();
            connection.Dispose();
            throw;
        }
    }

    public byte[] Read() => current.Image;

    public void Commit(byte[] image) => backend.Guard(() =>
    {
        var parts = KeyStoreFormat.Split(image);
        var next = StoredImage.FromParts(parts, image);
        WriteChangedEntries(next);
        using (var update = new NpgsqlCommand(StoreSql.UpdateStore, connection)
        {
            Parameters = { new() { Value = backend.StoreName }, new() { Value = parts.Generation }, new() { Value = parts.Header }, new() { Value = parts.Mac } },
        })
        {
            update.ExecuteNonQuery();
        }

        using (var notify = backend.NotifyCommand(connection))
        {
            notify.ExecuteNonQuery();
        }

        transaction.Commit();
        backend.Remember(next);
        return true;
    });

    public void Dispose()
    {
        transaction.Dispose();
        connection.Dispose();
    }

    /// <summary>Waits (at most the lock timeout) for the store's row lock, then reads the store as it is under the lock.</summary>
    private void Lock()
    {
        string timeout = ((long)backend.LockTimeout.TotalMilliseconds).ToString(CultureInfo.InvariantCulture);
        using (var set = new NpgsqlCommand($"SET LOCAL lock_timeout = {timeout}", connection))
        {
            set.ExecuteNonQuery();
        }

        var row = backend.SelectStore(connection, StoreSql.SelectStoreForUpdate);
        current = backend.Cached(row) ?? ReadUnderLock(row);
    }

    private StoredImage ReadUnderLock(StoreRow row)
    {
        var image = StoredImage.Read(connection, backend.StoreName, row);
        backend.CheckUnchangedIfSameGeneration(image);
        return image;
    }

    private void WriteChangedEntries(StoredImage next)
    {
        var changed = next.Records.Where(r => !current.Records.TryGetValue(r.Key, out var old) || !old.AsSpan().SequenceEqual(r.Value)).ToList();
        string[] removed = [.. current.Records.Keys.Where(name => !next.Records.ContainsKey(name))];
        if (changed.Count > 0)
        {
            using var upsert = new NpgsqlCommand(StoreSql.UpsertEntries, connection)
            {
                Parameters =
                {
                    new() { Value = backend.StoreName },
                    new() { Value = changed.Select(r => r.Key).ToArray() },
                    new() { Value = changed.Select(r => r.Value).ToArray() },
                },
            };
            upsert.ExecuteNonQuery();
        }

        if (removed.Length > 0)
        {
            using var delete = new NpgsqlCommand(StoreSql.DeleteEntries, connection)
            {
                Parameters = { new() { Value = backend.StoreName }, new() { Value = removed } },
            };
            delete.ExecuteNonQuery();
        }
    }
}
