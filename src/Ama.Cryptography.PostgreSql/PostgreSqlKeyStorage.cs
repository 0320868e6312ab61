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
/// The tables live in the schema <c>ama</c>, or the one <see cref="PostgreSqlKeyStoreOptions.Schema"/>
/// names (Schema/ama-keystore.sql in the package, which <c>Create</c> applies when the tables are
/// missing). Several named stores share them.
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
    /// <summary>The schema of the tables unless <see cref="PostgreSqlKeyStoreOptions.Schema"/> names another.</summary>
    public const string DefaultSchema = "ama";

    /// <summary>How long a writer waits for another writer's lock before it fails, unless <see cref="PostgreSqlKeyStoreOptions.LockTimeout"/> says otherwise.</summary>
    public static readonly TimeSpan DefaultLockTimeout = TimeSpan.FromSeconds(30);

    /// <summary>Creates a store named <paramref name="storeName"/> (and the tables, when they are missing).</summary>
    /// <param name="dataSource">The database; the caller keeps owning it and must keep it open while the storage is used.</param>
    /// <param name="storeName">1 to 128 characters of A-Z, a-z, 0-9, '.', '_' and '-'.</param>
    /// <param name="credential">A raw key, or a password with its KDF (which runs once now).</param>
    /// <returns>The open storage; dispose it.</returns>
    /// <exception cref="ArgumentException">The store name is invalid.</exception>
    /// <exception cref="IOException">A store of that name already exists; nothing was changed.</exception>
    /// <exception cref="KeyStoreException">The server could not be reached or refused a statement.</exception>
    public static SecureKeyStorage Create(NpgsqlDataSource dataSource, string storeName, KeyStoreCredential credential) =>
        Create(dataSource, storeName, credential, Defaults);

    /// <summary>Creates a store named <paramref name="storeName"/> in the schema <paramref name="options"/> names (and the tables, when they are missing).</summary>
    /// <param name="dataSource">The database; the caller keeps owning it and must keep it open while the storage is used.</param>
    /// <param name="storeName">1 to 128 characters of A-Z, a-z, 0-9, '.', '_' and '-'.</param>
    /// <param name="credential">A raw key, or a password with its KDF (which runs once now).</param>
    /// <param name="options">The schema and the lock timeout; read once, now.</param>
    /// <returns>The open storage; dispose it.</returns>
    /// <exception cref="ArgumentException">The store name is invalid.</exception>
    /// <exception cref="IOException">A store of that name already exists in that schema; nothing was changed.</exception>
    /// <exception cref="KeyStoreException">The server could not be reached or refused a statement.</exception>
    public static SecureKeyStorage Create(NpgsqlDataSource dataSource, string storeName, KeyStoreCredential credential, PostgreSqlKeyStoreOptions options)
    {
        var backend = NewBackend(dataSource, storeName, credential, options);
        backend.Guard(() =>
        {
            using var connection = StoreConnections.Open(dataSource);
            StoreSchema.Apply(connection, backend.Sql);
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
    public static SecureKeyStorage Open(NpgsqlDataSource dataSource, string storeName, KeyStoreCredential credential) =>
        Open(dataSource, storeName, credential, Defaults);

    /// <summary>Opens the store named <paramref name="storeName"/> in the schema <paramref name="options"/> names.</summary>
    /// <param name="dataSource">The database; the caller keeps owning it and must keep it open while the storage is used.</param>
    /// <param name="storeName">The store's name.</param>
    /// <param name="credential">The raw key or password the store was created (or last re-keyed) with.</param>
    /// <param name="options">The schema and the lock timeout; read once, now.</param>
    /// <returns>The open storage; dispose it.</returns>
    /// <exception cref="ArgumentException">The store name is invalid.</exception>
    /// <exception cref="KeyStoreException">There is no such store, or the server could not be reached.</exception>
    /// <exception cref="KeyStoreCredentialException">The password or key is wrong, or of the wrong kind.</exception>
    /// <exception cref="KeyStoreDamagedException">A row was changed, removed, added or rolled back.</exception>
    public static SecureKeyStorage Open(NpgsqlDataSource dataSource, string storeName, KeyStoreCredential credential, PostgreSqlKeyStoreOptions options)
    {
        var backend = NewBackend(dataSource, storeName, credential, options);
        return Listening(SecureKeyStorage.OpenIn(backend, credential), backend);
    }

    /// <summary>As <see cref="Create(NpgsqlDataSource, string, KeyStoreCredential)"/>, with the database work asynchronous.</summary>
    /// <param name="dataSource">The database.</param>
    /// <param name="storeName">The store's name.</param>
    /// <param name="credential">The credential.</param>
    /// <param name="cancellationToken">Cancels the database work.</param>
    /// <returns>The open storage; dispose it.</returns>
    /// <exception cref="ArgumentException">The store name is invalid.</exception>
    /// <exception cref="IOException">A store of that name already exists; nothing was changed.</exception>
    /// <exception cref="KeyStoreException">The server could not be reached or refused a statement.</exception>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("ApiDesign", "RS0027", Justification = "The short form, with its optional token, is the one most callers use; the options overload takes the token explicitly.")]
    public static Task<SecureKeyStorage> CreateAsync(NpgsqlDataSource dataSource, string storeName, KeyStoreCredential credential, CancellationToken cancellationToken = default) =>
        CreateAsync(dataSource, storeName, credential, Defaults, cancellationToken);

    /// <summary>As <see cref="Create(NpgsqlDataSource, string, KeyStoreCredential, PostgreSqlKeyStoreOptions)"/>, with the database work asynchronous.</summary>
    /// <param name="dataSource">The database.</param>
    /// <param name="storeName">The store's name.</param>
    /// <param name="credential">The credential.</param>
    /// <param name="options">The schema and the lock timeout.</param>
    /// <param name="cancellationToken">Cancels the database work.</param>
    /// <returns>The open storage; dispose it.</returns>
    /// <exception cref="ArgumentException">The store name is invalid.</exception>
    /// <exception cref="IOException">A store of that name already exists in that schema; nothing was changed.</exception>
    /// <exception cref="KeyStoreException">The server could not be reached or refused a statement.</exception>
    public static async Task<SecureKeyStorage> CreateAsync(NpgsqlDataSource dataSource, string storeName, KeyStoreCredential credential, PostgreSqlKeyStoreOptions options, CancellationToken cancellationToken)
    {
        var backend = NewBackend(dataSource, storeName, credential, options);
        KeyStoreEnvelope? envelope = null;
        try
        {
            await using (var connection = await StoreConnections.OpenAsync(dataSource, cancellationToken).ConfigureAwait(false))
            {
                await StoreSchema.ApplyAsync(connection, backend.Sql, cancellationToken).ConfigureAwait(false);
            }

            envelope = KeyStoreEnvelope.CreateNew(credential, backend.Binding, out byte[] image);
            await backend.CreateAsync(image, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (PostgreSqlErrors.IsConnectionFailure(e))
        {
            envelope?.Dispose();
            backend.Dispose();
            throw backend.ServerFailed(e);
        }
        catch
        {
            envelope?.Dispose();
            backend.Dispose();
            throw;
        }

        return Listening(SecureKeyStorage.Attach(backend, envelope), backend);
    }

    /// <summary>As <see cref="Open(NpgsqlDataSource, string, KeyStoreCredential)"/>, with the database work asynchronous.</summary>
    /// <param name="dataSource">The database.</param>
    /// <param name="storeName">The store's name.</param>
    /// <param name="credential">The credential.</param>
    /// <param name="cancellationToken">Cancels the database work.</param>
    /// <returns>The open storage; dispose it.</returns>
    /// <exception cref="ArgumentException">The store name is invalid.</exception>
    /// <exception cref="KeyStoreException">There is no such store, or the server could not be reached.</exception>
    /// <exception cref="KeyStoreCredentialException">The password or key is wrong, or of the wrong kind.</exception>
    /// <exception cref="KeyStoreDamagedException">A row was changed, removed, added or rolled back.</exception>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("ApiDesign", "RS0027", Justification = "The short form, with its optional token, is the one most callers use; the options overload takes the token explicitly.")]
    public static Task<SecureKeyStorage> OpenAsync(NpgsqlDataSource dataSource, string storeName, KeyStoreCredential credential, CancellationToken cancellationToken = default) =>
        OpenAsync(dataSource, storeName, credential, Defaults, cancellationToken);

    /// <summary>As <see cref="Open(NpgsqlDataSource, string, KeyStoreCredential, PostgreSqlKeyStoreOptions)"/>, with the database work asynchronous.</summary>
    /// <param name="dataSource">The database.</param>
    /// <param name="storeName">The store's name.</param>
    /// <param name="credential">The credential.</param>
    /// <param name="options">The schema and the lock timeout.</param>
    /// <param name="cancellationToken">Cancels the database work.</param>
    /// <returns>The open storage; dispose it.</returns>
    /// <exception cref="ArgumentException">The store name is invalid.</exception>
    /// <exception cref="KeyStoreException">There is no such store, or the server could not be reached.</exception>
    /// <exception cref="KeyStoreCredentialException">The password or key is wrong, or of the wrong kind.</exception>
    /// <exception cref="KeyStoreDamagedException">A row was changed, removed, added or rolled back.</exception>
    public static async Task<SecureKeyStorage> OpenAsync(NpgsqlDataSource dataSource, string storeName, KeyStoreCredential credential, PostgreSqlKeyStoreOptions options, CancellationToken cancellationToken)
    {
        var backend = NewBackend(dataSource, storeName, credential, options);
        KeyStoreEnvelope envelope;
        try
        {
            byte[] image = await backend.ReadAsync(cancellationToken).ConfigureAwait(false);
            envelope = KeyStoreEnvelope.Open(backend.Location, backend.Binding, image, credential);
        }
        catch
        {
            backend.Dispose();
            throw;
        }

        return Listening(SecureKeyStorage.Attach(backend, envelope), backend);
    }

    /// <summary>
    /// Opens the store named <paramref name="storeName"/>, or creates it (and the tables, when they are
    /// missing) when there is none. Of several callers, in any process, that race to create the same store,
    /// exactly one creates it (one INSERT ... ON CONFLICT DO NOTHING) and the others open the store it created.
    /// </summary>
    /// <param name="dataSource">The database; the caller keeps owning it and must keep it open while the storage is used.</param>
    /// <param name="storeName">1 to 128 characters of A-Z, a-z, 0-9, '.', '_' and '-'.</param>
    /// <param name="credential">A raw key, or a password with its KDF; for an existing store, the one it was created (or last re-keyed) with.</param>
    /// <returns>The open storage; dispose it.</returns>
    /// <exception cref="ArgumentException">The store name is invalid.</exception>
    /// <exception cref="KeyStoreException">The server could not be reached or refused a statement.</exception>
    /// <exception cref="KeyStoreCredentialException">The store exists and the password or key is wrong, or of the wrong kind.</exception>
    /// <exception cref="KeyStoreDamagedException">The store exists and a row was changed, removed, added or rolled back.</exception>
    public static SecureKeyStorage OpenOrCreate(NpgsqlDataSource dataSource, string storeName, KeyStoreCredential credential) =>
        OpenOrCreate(dataSource, storeName, credential, Defaults);

    /// <summary>As <see cref="OpenOrCreate(NpgsqlDataSource, string, KeyStoreCredential)"/>, in the schema <paramref name="options"/> names.</summary>
    /// <param name="dataSource">The database; the caller keeps owning it and must keep it open while the storage is used.</param>
    /// <param name="storeName">1 to 128 characters of A-Z, a-z, 0-9, '.', '_' and '-'.</param>
    /// <param name="credential">A raw key, or a password with its KDF; for an existing store, the one it was created (or last re-keyed) with.</param>
    /// <param name="options">The schema and the lock timeout; read once, now.</param>
    /// <returns>The open storage; dispose it.</returns>
    /// <exception cref="ArgumentException">The store name is invalid.</exception>
    /// <exception cref="KeyStoreException">The server could not be reached or refused a statement.</exception>
    /// <exception cref="KeyStoreCredentialException">The store exists and the password or key is wrong, or of the wrong kind.</exception>
    /// <exception cref="KeyStoreDamagedException">The store exists and a row was changed, removed, added or rolled back.</exception>
    public static SecureKeyStorage OpenOrCreate(NpgsqlDataSource dataSource, string storeName, KeyStoreCredential credential, PostgreSqlKeyStoreOptions options)
    {
        var backend = NewBackend(dataSource, storeName, credential, options);
        bool exists = backend.Guard<bool>(() =>
        {
            using var connection = StoreConnections.Open(dataSource);
            StoreSchema.Apply(connection, backend.Sql);
            return backend.Exists(connection);
        });

        // The existence check only spares an existing store's caller the KDF of a new one; the INSERT decides the race.
        if (!exists && SecureKeyStorage.TryCreateIn(backend, credential) is { } created)
        {
            return Listening(created, backend);
        }

        return Listening(SecureKeyStorage.OpenIn(backend, credential), backend);
    }

    /// <summary>As <see cref="OpenOrCreate(NpgsqlDataSource, string, KeyStoreCredential)"/>, with the database work asynchronous.</summary>
    /// <param name="dataSource">The database.</param>
    /// <param name="storeName">The store's name.</param>
    /// <param name="credential">The credential.</param>
    /// <param name="cancellationToken">Cancels the database work.</param>
    /// <returns>The open storage; dispose it.</returns>
    /// <exception cref="ArgumentException">The store name is invalid.</exception>
    /// <exception cref="KeyStoreException">The server could not be reached or refused a statement.</exception>
    /// <exception cref="KeyStoreCredentialException">The store exists and the password or key is wrong, or of the wrong kind.</exception>
    /// <exception cref="KeyStoreDamagedException">The store exists and a row was changed, removed, added or rolled back.</exception>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("ApiDesign", "RS0027", Justification = "The short form, with its optional token, is the one most callers use; the options overload takes the token explicitly.")]
    public static Task<SecureKeyStorage> OpenOrCreateAsync(NpgsqlDataSource dataSource, string storeName, KeyStoreCredential credential, CancellationToken cancellationToken = default) =>
        OpenOrCreateAsync(dataSource, storeName, credential, Defaults, cancellationToken);

    /// <summary>As <see cref="OpenOrCreate(NpgsqlDataSource, string, KeyStoreCredential, PostgreSqlKeyStoreOptions)"/>, with the database work asynchronous.</summary>
    /// <param name="dataSource">The database.</param>
    /// <param name="storeName">The store's name.</param>
    /// <param name="credential">The credential.</param>
    /// <param name="options">The schema and the lock timeout.</param>
    /// <param name="cancellationToken">Cancels the database work.</param>
    /// <returns>The open storage; dispose it.</returns>
    /// <exception cref="ArgumentException">The store name is invalid.</exception>
    /// <exception cref="KeyStoreException">The server could not be reached or refused a statement.</exception>
    /// <exception cref="KeyStoreCredentialException">The store exists and the password or key is wrong, or of the wrong kind.</exception>
    /// <exception cref="KeyStoreDamagedException">The store exists and a row was changed, removed, added or rolled back.</exception>
    public static async Task<SecureKeyStorage> OpenOrCreateAsync(NpgsqlDataSource dataSource, string storeName, KeyStoreCredential credential, PostgreSqlKeyStoreOptions options, CancellationToken cancellationToken)
    {
        var backend = NewBackend(dataSource, storeName, credential, options);
        KeyStoreEnvelope? envelope = null;
        try
        {
            bool exists;
            await using (var connection = await StoreConnections.OpenAsync(dataSource, cancellationToken).ConfigureAwait(false))
            {
                await StoreSchema.ApplyAsync(connection, backend.Sql, cancellationToken).ConfigureAwait(false);
                exists = await backend.ExistsAsync(connection, cancellationToken).ConfigureAwait(false);
            }

            if (!exists)
            {
                envelope = KeyStoreEnvelope.CreateNew(credential, backend.Binding, out byte[] image);
                if (!await backend.TryCreateAsync(image, cancellationToken).ConfigureAwait(false))
                {
                    // Another caller created it since the check: open theirs.
                    envelope.Dispose();
                    envelope = null;
                }
            }

            envelope ??= KeyStoreEnvelope.Open(backend.Location, backend.Binding, await backend.ReadAsync(cancellationToken).ConfigureAwait(false), credential);
        }
        catch (Exception e) when (PostgreSqlErrors.IsConnectionFailure(e))
        {
            envelope?.Dispose();
            backend.Dispose();
            throw backend.ServerFailed(e);
        }
        catch
        {
            envelope?.Dispose();
            backend.Dispose();
            throw;
        }

        return Listening(SecureKeyStorage.Attach(backend, envelope), backend);
    }

    private static PostgreSqlKeyStoreOptions Defaults => new();

    private static PostgreSqlBackend NewBackend(NpgsqlDataSource dataSource, string storeName, KeyStoreCredential credential, PostgreSqlKeyStoreOptions options)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        ArgumentNullException.ThrowIfNull(credential);
        ArgumentNullException.ThrowIfNull(options);
        StoreConnections.ThrowIfUnsupported(dataSource, nameof(dataSource));
        credential.ThrowIfDisposed();
        if (!KeyNames.IsValid(storeName))
        {
            throw PostgreSqlErrors.InvalidStoreName(nameof(storeName));
        }

        return new PostgreSqlBackend(dataSource, storeName, options);
    }

    private static SecureKeyStorage Listening(SecureKeyStorage storage, PostgreSqlBackend backend)
    {
        // The listener read the store's generation and found it other than this instance's; a commit or
        // Refresh of this instance may have caught up since, and then no full read is needed.
        backend.Listen(generation =>
        {
            if (backend.IsOtherThanKnown(generation))
            {
                storage.Refresh();
            }
        });
        return storage;
    }
}
