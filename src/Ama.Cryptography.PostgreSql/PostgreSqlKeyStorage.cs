using Ama.Cryptography.PostgreSql.Internal;
using Npgsql;

namespace Ama.Cryptography.KeyManagement;

/// <summary>
/// Opens <see cref="SecureKeyStorage"/> stores kept in PostgreSQL, so that every instance of a
/// service, on any machine, shares the same keys. The database holds only what a key store file
/// holds: sealed entries under a data key wrapped by the credential, and a MAC over the whole
/// store, so a DBA can destroy a store but cannot read, change or roll it back unnoticed.
/// </summary>
/// <remarks>
/// <para>
/// The tables live in the schema <c>ama</c> (Schema/ama-keystore.sql in the package, which
/// <see cref="Create"/> applies when the tables are missing). Several named stores share them.
/// </para>
/// <para>
/// Writers serialise on a row lock of the store's row and commit in one transaction, so no update is
/// lost; readers see each commit whole. Every commit is announced with <c>NOTIFY ama_keystore</c>,
/// and each open storage listens and refreshes itself on it. The storages open on one data source
/// share one listening connection from it; the caller keeps owning the data source.
/// </para>
/// </remarks>
public static class PostgreSqlKeyStorage
{
    /// <summary>How long a writer waits for another writer's lock before it fails.</summary>
    public static readonly TimeSpan LockTimeout = TimeSpan.FromSeconds(30);

    /// <summary>Creates a store named <paramref name="storeName"/> (and the tables, when they are missing).</summary>
    /// <param name="dataSource">The database; the caller keeps owning it and must keep it open while the storage is used.</param>
    /// <param name="storeName">1 to 128 characters of A-Z, a-z, 0-9, '.', '_' and '-'.</param>
    /// <param name="credential">A raw key, or a password with its KDF (which runs once now).</param>
    /// <returns>The open storage; dispose it.</returns>
    /// <exception cref="ArgumentException">The store name is invalid.</exception>
    /// <exception cref="IOException">A store of that name already exists; nothing was changed.</exception>
    /// <exception cref="KeyStoreException">The server could not be reached or refused a statement.</exception>
    public static SecureKeyStorage Create(NpgsqlDataSource dataSource, string storeName, KeyStoreCredential credential)
    {
        var backend = NewBackend(dataSource, storeName, credential);
        backend.Guard(() =>
        {
            using var connection = dataSource.OpenConnection();
            StoreSchema.Apply(connection);
            return true;
        });
        return Listening(SecureKeyStorage.CreateIn(backend, credential), backend);
    }

    /// <summary>Opens the store named <paramref name="storeName"/>. The credential is checked before any entry is read.</summary>
    /// <param name="dataSource">The database; the caller keeps owning it and must keep it open while the storage is used.</param>
    /// <param name="storeName">The store's name.</param>
    /// <param name="credential">The raw key or password the store was created (or last re-keyed) with.</param>
    /// <returns>The open storage; dispose it.</returns>
    /// <exception cref="ArgumentException">The store name is invalid.</exception>
    /// <exception cref="KeyStoreException">There is no such store, or the server could not be reached.</exception>
    /// <exception cref="KeyStoreCredentialException">The password or key is wrong, or of the wrong kind.</exception>
    /// <exception cref="KeyStoreDamagedException">A row was changed, removed, added or rolled back.</exception>
    public static SecureKeyStorage Open(NpgsqlDataSource dataSource, string storeName, KeyStoreCredential credential)
    {
        var backend = NewBackend(dataSource, storeName, credential);
        return Listening(SecureKeyStorage.OpenIn(backend, credential), backend);
    }

    /// <summary>As <see cref="Create"/>, with the database work asynchronous.</summary>
    /// <param name="dataSource">The database.</param>
    /// <param name="storeName">The store's name.</param>
    /// <param name="credential">The credential.</param>
    /// <param name="cancellationToken">Cancels the database work.</param>
    /// <returns>The open storage; dispose it.</returns>
    /// <exception cref="ArgumentException">The store name is invalid.</exception>
    /// <exception cref="IOException">A store of that name already exists; nothing was changed.</exception>
    /// <exception cref="KeyStoreException">The server could not be reached or refused a statement.</exception>
    public static async Task<SecureKeyStorage> CreateAsync(NpgsqlDataSource dataSource, string storeName, KeyStoreCredential credential, CancellationToken cancellationToken = default)
    {
        var backend = NewBackend(dataSource, storeName, credential);
        KeyStoreEnvelope? envelope = null;
        try
        {
            await using (var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false))
            {
                await StoreSchema.ApplyAsync(connection, cancellationToken).ConfigureAwait(false);
            }

            envelope = KeyStoreEnvelope.CreateNew(credential, out byte[] image);
            await backend.CreateAsync(image, cancellationToken).ConfigureAwait(false);
        }
        catch (NpgsqlException e)
        {
            envelope?.Dispose();
            backend.Dispose();
            throw PostgreSqlErrors.ServerFailed(storeName, e);
        }
        catch
        {
            envelope?.Dispose();
            backend.Dispose();
            throw;
        }

        return Listening(SecureKeyStorage.Attach(backend, envelope), backend);
    }

    /// <summary>As <see cref="Open"/>, with the database work asynchronous.</summary>
    /// <param name="dataSource">The database.</param>
    /// <param name="storeName">The store's name.</param>
    /// <param name="credential">The credential.</param>
    /// <param name="cancellationToken">Cancels the database work.</param>
    /// <returns>The open storage; dispose it.</returns>
    /// <exception cref="ArgumentException">The store name is invalid.</exception>
    /// <exception cref="KeyStoreException">There is no such store, or the server could not be reached.</exception>
    /// <exception cref="KeyStoreCredentialException">The password or key is wrong, or of the wrong kind.</exception>
    /// <exception cref="KeyStoreDamagedException">A row was changed, removed, added or rolled back.</exception>
    public static async Task<SecureKeyStorage> OpenAsync(NpgsqlDataSource dataSource, string storeName, KeyStoreCredential credential, CancellationToken cancellationToken = default)
    {
        var backend = NewBackend(dataSource, storeName, credential);
        KeyStoreEnvelope envelope;
        try
        {
            byte[] image = await backend.ReadAsync(cancellationToken).ConfigureAwait(false);
            envelope = KeyStoreEnvelope.Open(backend.Location, image, credential);
        }
        catch
        {
            backend.Dispose();
            throw;
        }

        return Listening(SecureKeyStorage.Attach(backend, envelope), backend);
    }

    private static PostgreSqlBackend NewBackend(NpgsqlDataSource dataSource, string storeName, KeyStoreCredential credential)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        ArgumentNullException.ThrowIfNull(credential);
        credential.ThrowIfDisposed();
        if (!KeyNames.IsValid(storeName))
        {
            throw PostgreSqlErrors.InvalidStoreName(nameof(storeName));
        }

        return new PostgreSqlBackend(dataSource, storeName, LockTimeout);
    }

    private static SecureKeyStorage Listening(SecureKeyStorage storage, PostgreSqlBackend backend)
    {
        // An announcement of this instance's own commit, or of one it has read, needs no refresh.
        backend.Listen(generation =>
        {
            if (generation is not { } announced || backend.IsOtherThanKnown(announced))
            {
                storage.Refresh();
            }
        });
        return storage;
    }
}
