using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;

namespace Ama.Cryptography.KeyManagement;

/// <summary>
/// Key material encrypted with AES-256-GCM, decrypted on access straight into a
/// <see cref="SecureBuffer"/>: in memory (the <c>SecureKeyStorage</c> of AMA Cryptography's Python module), or in a key store
/// file that is crash-safe, tamper-evident and shared safely between processes, or in PostgreSQL
/// (<c>PostgreSqlKeyStorage</c> in the Ama.Cryptography.PostgreSql package) with the same guarantees.
/// </summary>
/// <remarks>
/// <para>
/// Every entry is sealed under a random data key with a random 96-bit nonce and associated data
/// that binds the store's identity, the name, the version and the metadata, so a ciphertext moved
/// to another name, version or store does not decrypt. A data key seals at most 2^32 entries
/// (then <see cref="Store(string, ReadOnlySpan{byte})"/> asks for <see cref="RotateDataKey"/>).
/// </para>
/// <para>
/// A file or database store reads the whole store at <see cref="Open"/>, at <see cref="Refresh"/> and
/// before each write. Writers take an exclusive lock (a lock file, or a row lock), catch up when
/// another process committed a newer generation and apply their change on top of it, so no update
/// is lost. All members are thread-safe.
/// After <see cref="Dispose"/> every member throws <see cref="ObjectDisposedException"/>.
/// </para>
/// <para>
/// Once an instance has found its store damaged (any <see cref="KeyStoreDamagedException"/> from
/// <see cref="Refresh"/>, a write or a <see cref="Retrieve(string)"/>), it refuses every later write
/// and <see cref="Refresh"/> with <see cref="KeyStoreDamagedException"/> until the store is opened
/// again; what it had already authenticated stays readable.
/// </para>
/// </remarks>
/// <example>
/// <code>
/// using var credential = KeyStoreCredential.FromPassword(password);
/// using var storage = SecureKeyStorage.Create("keys.amaks", credential);
/// storage.Store("signing-key", keyBytes);
/// using SecureBuffer key = storage.Retrieve("signing-key");
/// </code>
/// </example>
public sealed class SecureKeyStorage : IDisposable
{
    /// <summary>The longest key material an entry holds: 1 MiB.</summary>
    public const int MaxKeyMaterialLength = KeyStoreFormat.MaxKeyMaterialLength;

    private readonly Lock gate = new();

    // One write of this instance at a time, taken before the gate. An awaited write lets go of the gate during its
    // round trips; a second writer that took the gate and then waited for the database lock the first one holds
    // would stop the first from finishing.
    private readonly SemaphoreSlim writeTurn = new(1, 1);
    private readonly byte[]? callerKey;
    private readonly IKeyStoreBackend? backend;
    private readonly KeyStoreEnvelope envelope;
    private bool disposed;

    // The damage this instance found in its store, if any: from then on it refuses every write and
    // every Refresh (its last authenticated state stays readable), until the store is opened again.
    // A write that caught up with rows it had not read, or reused a cached image, would otherwise
    // put commits into a store nobody can open.
    private KeyStoreDamagedException? damage;

    /// <summary>Creates an in-memory storage whose entries are encrypted under <paramref name="encryptionKey"/>.</summary>
    /// <param name="encryptionKey">A random 32-byte key. The storage copies it into secure memory, keeps the array, and zeroes it on <see cref="Dispose"/>.</param>
    /// <exception cref="ArgumentNullException"><paramref name="encryptionKey"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="encryptionKey"/> is not 32 bytes, or is all zero.</exception>
    public SecureKeyStorage(byte[] encryptionKey)
    {
        ArgumentNullException.ThrowIfNull(encryptionKey);
        if (encryptionKey.Length != KeyDerivation.KeyLength)
        {
            throw Error.KeyStoreKeyLength(nameof(encryptionKey), encryptionKey.Length);
        }

        if (!encryptionKey.AsSpan().ContainsAnyExcept((byte)0))
        {
            throw Error.KeyStoreZeroKey(nameof(encryptionKey));
        }

        callerKey = encryptionKey;
        envelope = KeyStoreEnvelope.InMemory(encryptionKey);
    }

    private SecureKeyStorage(IKeyStoreBackend backend, KeyStoreEnvelope envelope)
    {
        this.backend = backend;
        this.envelope = envelope;
    }

    /// <summary>
    /// Gets whether the storage lives only in this process (the constructor that takes a key), rather than in a
    /// file or a database that other processes share; <see cref="Refresh"/> and <see cref="ChangeCredential"/> need the latter.
    /// </summary>
    public bool IsInMemory => backend is null;

    /// <summary>Gets the full path of the key store file, or <see langword="null"/> for an in-memory storage or one in a database.</summary>
    public string? FilePath => (backend as KeyStoreFileBackend)?.Location;

    /// <summary>
    /// Gets the generation this instance last read or wrote; every committed change adds one.
    /// Keep the highest value you have seen elsewhere to detect a rollback of the whole file.
    /// </summary>
    /// <exception cref="ObjectDisposedException">The storage was disposed.</exception>
    public long Generation
    {
        get
        {
            lock (gate)
            {
                ThrowIfDisposed();
                return (long)envelope.State.Generation;
            }
        }
    }

    /// <summary>
    /// Gets the password KDF and cost that the current credential was derived with, as read from
    /// the file's authenticated header; null for a raw-key store and for an in-memory one.
    /// Compare it with the cost you would choose today to decide when to call
    /// <see cref="ChangeCredential"/>.
    /// </summary>
    /// <exception cref="ObjectDisposedException">The storage was disposed.</exception>
    public KeyStoreKdf? Kdf
    {
        get
        {
            lock (gate)
            {
                ThrowIfDisposed();
                return envelope.State.Kdf;
            }
        }
    }

    /// <summary>Gets the format version of the image this instance last read or wrote: 1 for a store not written since it was read from an older library's image, else 2.</summary>
    internal int FormatVersion
    {
        get
        {
            lock (gate)
            {
                ThrowIfDisposed();
                return envelope.State.FormatVersion;
            }
        }
    }

    /// <summary>Creates a new key store file; its data key is random and wrapped by the master key from <paramref name="credential"/>.</summary>
    /// <param name="path">The file to create, in an existing directory. It is created 0600 and a "path.lock" file is created next to it.</param>
    /// <param name="credential">A raw key, or a password with its KDF (which runs once now).</param>
    /// <returns>The open storage; dispose it.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="IOException">Something (a file, a directory, a FIFO) already exists at the path, or writing failed.</exception>
    /// <exception cref="KeyStoreException">The writers' lock could not be taken in time.</exception>
    public static SecureKeyStorage Create(string path, KeyStoreCredential credential)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(credential);
        credential.ThrowIfDisposed();
        return CreateIn(new KeyStoreFileBackend(Path.GetFullPath(path)), credential);
    }

    /// <summary>
    /// Opens a key store file. The credential is checked here, before any entry is read:
    /// a wrong one gives <see cref="KeyStoreCredentialException"/> and leaves the file untouched.
    /// </summary>
    /// <param name="path">The key store file.</param>
    /// <param name="credential">The raw key or password the store was created (or last re-keyed) with; a password runs the KDF stored in the file.</param>
    /// <returns>The open storage; dispose it.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="KeyStoreException">The path is a directory, a FIFO or a device, not a regular file (a symbolic link to a regular file is followed).</exception>
    /// <exception cref="KeyStoreCredentialException">The password or key is wrong, or of the wrong kind.</exception>
    /// <exception cref="KeyStoreDamagedException">The file is truncated, altered, or asks for KDF parameters outside the bounds.</exception>
    public static SecureKeyStorage Open(string path, KeyStoreCredential credential)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(credential);
        credential.ThrowIfDisposed();
        return OpenIn(new KeyStoreFileBackend(Path.GetFullPath(path)), credential);
    }

    /// <summary>
    /// Opens the key store file at <paramref name="path"/>, or creates it when nothing is there. Of
    /// several threads or processes that race to create the same store, exactly one creates it (under
    /// the writers' lock) and the others open the store it created. A "path.created" marker is kept
    /// beside the store: when the file is missing but the marker says a store existed, nothing is
    /// created (docs/design.md, "CreateIfMissing never creates a second store where one existed").
    /// </summary>
    /// <param name="path">The file to open or create, in an existing directory. A store is created 0600, with a "path.lock" file next to it.</param>
    /// <param name="credential">A raw key, or a password with its KDF: for a new store it is derived once with the credential's KDF; for an existing one the KDF stored in the file runs.</param>
    /// <returns>The open storage; dispose it.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="path"/> is empty.</exception>
    /// <exception cref="KeyStoreException">The file is missing but its "path.created" marker is there; or the path is a directory, a FIFO or a device; or the writers' lock could not be taken in time.</exception>
    /// <exception cref="KeyStoreCredentialException">The store exists and the password or key is wrong, or of the wrong kind; the file is untouched.</exception>
    /// <exception cref="KeyStoreDamagedException">The store exists and is truncated, altered, or asks for KDF parameters outside the bounds.</exception>
    /// <exception cref="DirectoryNotFoundException">The directory does not exist.</exception>
    /// <exception cref="IOException">Writing the new store or its marker failed.</exception>
    public static SecureKeyStorage OpenOrCreate(string path, KeyStoreCredential credential)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(credential);
        credential.ThrowIfDisposed();
        string fullPath = Path.GetFullPath(path);
        if (!KeyStorePath.AnythingAt(KeyStorePath.WriteTarget(fullPath)))
        {
            // Checked before the KDF of a new store runs, and again under the lock.
            KeyStoreCreatedMarker.ThrowIfStoreExisted(fullPath);
            if (TryCreateIn(new KeyStoreFileBackend(fullPath), credential) is { } created)
            {
                return WithMarker(created, fullPath);
            }
        }

        var opened = OpenIn(new KeyStoreFileBackend(fullPath), credential);
        try
        {
            KeyStoreCreatedMarker.Write(fullPath);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A read-only directory: a store that is only opened here needs no marker to be read.
        }

        return opened;
    }

    /// <summary>Stores <paramref name="keyMaterial"/> under <paramref name="name"/> as a new version, which becomes the primary.</summary>
    /// <param name="name">1 to 128 characters of A-Z, a-z, 0-9, '.', '_' and '-'.</param>
    /// <param name="keyMaterial">0 bytes to 1 MiB; it is encrypted at once and not kept.</param>
    /// <returns>The new version number (1 for a new name).</returns>
    /// <exception cref="ArgumentException">The name or key material is invalid.</exception>
    /// <exception cref="ObjectDisposedException">The storage was disposed.</exception>
    /// <exception cref="KeyStoreException">The file could not be locked, or the data key needs rotation.</exception>
    /// <exception cref="KeyStoreDamagedException">The store is damaged, was rolled back or replaced, or this instance found it so earlier; nothing was written.</exception>
    /// <exception cref="IOException">Writing the file failed; the change was not made.</exception>
    public int Store(string name, ReadOnlySpan<byte> keyMaterial) => Store(name, keyMaterial, metadata: null);

    /// <summary>Stores <paramref name="keyMaterial"/> with metadata under <paramref name="name"/> as a new version, which becomes the primary.</summary>
    /// <param name="name">1 to 128 characters of A-Z, a-z, 0-9, '.', '_' and '-'.</param>
    /// <param name="keyMaterial">0 bytes to 1 MiB; it is encrypted at once and not kept.</param>
    /// <param name="metadata">Up to 64 string pairs, authenticated with the key but not encrypted; null for none.</param>
    /// <returns>The new version number (1 for a new name).</returns>
    /// <exception cref="ArgumentException">The name, key material or metadata is invalid.</exception>
    /// <exception cref="ObjectDisposedException">The storage was disposed.</exception>
    /// <exception cref="KeyStoreException">The file could not be locked, or the data key needs rotation.</exception>
    /// <exception cref="KeyStoreDamagedException">The store is damaged, was rolled back or replaced, or this instance found it so earlier; nothing was written.</exception>
    /// <exception cref="IOException">Writing the file failed; the change was not made.</exception>
    public int Store(string name, ReadOnlySpan<byte> keyMaterial, IReadOnlyDictionary<string, string>? metadata)
    {
        ThrowIfDisposed();
        using var batch = new KeyStoreBatch(this);
        batch.Store(name, keyMaterial, metadata);
        return batch.CommitAndReturnResults()[0];
    }

    /// <summary>Decrypts the primary (newest) version of <paramref name="name"/> into a new secure buffer.</summary>
    /// <param name="name">The key name.</param>
    /// <returns>The key material; the caller disposes it.</returns>
    /// <exception cref="ArgumentException">The name is invalid.</exception>
    /// <exception cref="KeyNotFoundException">No key has that name.</exception>
    /// <exception cref="KeyStoreDamagedException">The entry does not decrypt.</exception>
    /// <exception cref="ObjectDisposedException">The storage was disposed.</exception>
    public SecureBuffer Retrieve(string name) =>
        TryRetrieveCore(name, version: null, out var key, out _) ? key : throw Error.KeyStoreNameNotFound(name);

    /// <summary>Decrypts one version of <paramref name="name"/> into a new secure buffer.</summary>
    /// <param name="name">The key name.</param>
    /// <param name="version">The version number, as <see cref="Store(string, ReadOnlySpan{byte})"/> returned it.</param>
    /// <returns>The key material; the caller disposes it.</returns>
    /// <exception cref="ArgumentException">The name is invalid.</exception>
    /// <exception cref="KeyNotFoundException">No such name or version.</exception>
    /// <exception cref="KeyStoreDamagedException">The entry does not decrypt.</exception>
    /// <exception cref="ObjectDisposedException">The storage was disposed.</exception>
    public SecureBuffer Retrieve(string name, int version) =>
        TryRetrieveCore(name, version, out var key, out _) ? key : throw Error.KeyStoreVersionNotFound(name, version);

    /// <summary>
    /// Decrypts the primary (newest) version of <paramref name="name"/> into a new secure buffer and
    /// says which version it is. Both come from the same state under the same lock, so a writer
    /// (another thread, or another process through <see cref="Refresh"/>) cannot slip a new version
    /// in between, as it can between <see cref="Retrieve(string)"/> and <see cref="ListVersions"/>.
    /// </summary>
    /// <param name="name">The key name.</param>
    /// <param name="version">The version number of the key material returned.</param>
    /// <returns>The key material; the caller disposes it.</returns>
    /// <exception cref="ArgumentException">The name is invalid.</exception>
    /// <exception cref="KeyNotFoundException">No key has that name.</exception>
    /// <exception cref="KeyStoreDamagedException">The entry does not decrypt.</exception>
    /// <exception cref="ObjectDisposedException">The storage was disposed.</exception>
    public SecureBuffer Retrieve(string name, out int version) =>
        TryRetrieveCore(name, version: null, out var key, out version) ? key : throw Error.KeyStoreNameNotFound(name);

    /// <summary>Decrypts the primary version of <paramref name="name"/> if there is one.</summary>
    /// <param name="name">The key name.</param>
    /// <param name="key">The key material (the caller disposes it), or <see langword="null"/>.</param>
    /// <returns>Whether the name exists.</returns>
    /// <exception cref="ArgumentException">The name is invalid.</exception>
    /// <exception cref="KeyStoreDamagedException">The entry does not decrypt.</exception>
    /// <exception cref="ObjectDisposedException">The storage was disposed.</exception>
    public bool TryRetrieve(string name, [NotNullWhen(true)] out SecureBuffer? key) => TryRetrieveCore(name, version: null, out key, out _);

    /// <summary>Removes <paramref name="name"/> with all its versions.</summary>
    /// <param name="name">The key name.</param>
    /// <returns>Whether the name existed.</returns>
    /// <exception cref="ArgumentException">The name is invalid.</exception>
    /// <exception cref="ObjectDisposedException">The storage was disposed.</exception>
    /// <exception cref="KeyStoreException">The file could not be locked.</exception>
    /// <exception cref="KeyStoreDamagedException">The store is damaged, was rolled back or replaced, or this instance found it so earlier; nothing was written.</exception>
    /// <exception cref="IOException">Writing the file failed.</exception>
    public bool Delete(string name)
    {
        ThrowIfDisposed();
        using var batch = new KeyStoreBatch(this);
        batch.Delete(name);
        return batch.CommitAndReturnResults()[0] != 0;
    }

    /// <summary>Destroys one version for good: its ciphertext is no longer written to the file. Destroying the last version removes the name.</summary>
    /// <param name="name">The key name.</param>
    /// <param name="version">The version number.</param>
    /// <returns>Whether the version existed.</returns>
    /// <exception cref="ArgumentException">The name is invalid.</exception>
    /// <exception cref="ObjectDisposedException">The storage was disposed.</exception>
    /// <exception cref="KeyStoreException">The file could not be locked.</exception>
    /// <exception cref="KeyStoreDamagedException">The store is damaged, was rolled back or replaced, or this instance found it so earlier; nothing was written.</exception>
    /// <exception cref="IOException">Writing the file failed.</exception>
    public bool DestroyVersion(string name, int version)
    {
        ThrowIfDisposed();
        using var batch = new KeyStoreBatch(this);
        batch.DestroyVersion(name, version);
        return batch.CommitAndReturnResults()[0] != 0;
    }

    /// <summary>Returns whether a key named <paramref name="name"/> exists.</summary>
    /// <param name="name">The key name.</param>
    /// <returns>Whether it exists.</returns>
    /// <exception cref="ArgumentException">The name is invalid.</exception>
    /// <exception cref="ObjectDisposedException">The storage was disposed.</exception>
    public bool Contains(string name)
    {
        KeyNames.Validate(name, nameof(name));
        lock (gate)
        {
            ThrowIfDisposed();
            return envelope.State.Entries.ContainsKey(name);
        }
    }

    /// <summary>Returns the key names in ordinal order.</summary>
    /// <returns>A snapshot of the names.</returns>
    /// <exception cref="ObjectDisposedException">The storage was disposed.</exception>
    public IReadOnlyList<string> ListKeys()
    {
        lock (gate)
        {
            ThrowIfDisposed();
            return envelope.State.Entries.Names;
        }
    }

    /// <summary>Returns the versions of <paramref name="name"/>, oldest first; the last is the primary.</summary>
    /// <param name="name">The key name.</param>
    /// <returns>The versions, without key material.</returns>
    /// <exception cref="ArgumentException">The name is invalid.</exception>
    /// <exception cref="KeyNotFoundException">No key has that name.</exception>
    /// <exception cref="ObjectDisposedException">The storage was disposed.</exception>
    public IReadOnlyList<KeyVersionInfo> ListVersions(string name)
    {
        KeyNames.Validate(name, nameof(name));
        lock (gate)
        {
            ThrowIfDisposed();
            if (!envelope.State.Entries.TryGetValue(name, out var entry))
            {
                throw Error.KeyStoreNameNotFound(name);
            }

            return [.. entry.Versions.Select(v => new KeyVersionInfo(
                v.Version,
                ReferenceEquals(v, entry.Primary),
                v.Length,
                DateTimeOffset.FromUnixTimeMilliseconds(v.CreatedUnixMs),
                v.Metadata.ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal).AsReadOnly()))];
        }
    }

    /// <summary>Starts a batch: many changes, one lock, one write, one fsync.</summary>
    /// <returns>The batch; call <see cref="KeyStoreBatch.Commit"/>, then dispose it.</returns>
    /// <exception cref="ObjectDisposedException">The storage was disposed.</exception>
    public KeyStoreBatch BeginBatch()
    {
        ThrowIfDisposed();
        return new KeyStoreBatch(this);
    }

    /// <summary>
    /// Re-keys a key store file to <paramref name="newCredential"/>: a new salt and master key wrap
    /// the same data key, so no entry is re-encrypted. The old credential no longer opens the file.
    /// </summary>
    /// <param name="newCredential">The new raw key, or password with its KDF (which runs once now).</param>
    /// <exception cref="ArgumentNullException"><paramref name="newCredential"/> is null.</exception>
    /// <exception cref="InvalidOperationException">The storage is in memory only.</exception>
    /// <exception cref="ObjectDisposedException">The storage was disposed.</exception>
    /// <exception cref="KeyStoreException">The file could not be locked.</exception>
    /// <exception cref="KeyStoreDamagedException">The store is damaged, was rolled back or replaced, or this instance found it so earlier; nothing was written.</exception>
    /// <exception cref="IOException">Writing the file failed; the old credential still opens it.</exception>
    public void ChangeCredential(KeyStoreCredential newCredential)
    {
        ArgumentNullException.ThrowIfNull(newCredential);
        newCredential.ThrowIfDisposed();
        InWriteTurn(() => ChangeCredentialInTurn(newCredential));
    }

    private bool ChangeCredentialInTurn(KeyStoreCredential newCredential)
    {
        lock (gate)
        {
            ThrowIfDisposed();
            var store = backend ?? throw Error.KeyStoreInMemory();
            ThrowIfFoundDamaged();
            try
            {
                using var writer = store.BeginWrite();
                envelope.CatchUp(store.Location, writer);
                envelope.ChangeCredential(newCredential, writer);
                return true;
            }
            catch (KeyStoreDamagedException e)
            {
                NoteDamage(e);
                throw;
            }
        }
    }

    /// <summary>
    /// Replaces the data key with a new random one and re-encrypts every version of every key under it,
    /// which also resets the 2^32-encryption budget. Each version keeps its creation time. For a file, it is one new generation.
    /// </summary>
    /// <exception cref="ObjectDisposedException">The storage was disposed.</exception>
    /// <exception cref="KeyStoreException">The file could not be locked.</exception>
    /// <exception cref="KeyStoreDamagedException">An entry does not decrypt under the old key, or the store is damaged, was rolled back or replaced, or this instance found it so earlier; nothing was written.</exception>
    /// <exception cref="IOException">Writing the file failed; the old data key stays in use.</exception>
    public void RotateDataKey() => InWriteTurn(() =>
    {
        lock (gate)
        {
            ThrowIfDisposed();
            ThrowIfFoundDamaged();
            try
            {
                using var writer = BeginWrite();
                envelope.RotateDataKey(writer);
                return true;
            }
            catch (KeyStoreDamagedException e)
            {
                NoteDamage(e);
                throw;
            }
        }
    });

    /// <summary>Reads the file again if another process wrote a newer generation since this instance last read or wrote it.</summary>
    /// <exception cref="InvalidOperationException">The storage is in memory only.</exception>
    /// <exception cref="ObjectDisposedException">The storage was disposed.</exception>
    /// <exception cref="KeyStoreCredentialException">Another process changed the credential.</exception>
    /// <exception cref="KeyStoreDamagedException">The file is damaged, was rolled back or replaced by another store, or this instance found it so earlier.</exception>
    public void Refresh()
    {
        lock (gate)
        {
            ThrowIfDisposed();
            var store = backend ?? throw Error.KeyStoreInMemory();
            ThrowIfFoundDamaged();
            try
            {
                envelope.CatchUp(store.Location, store.Read());
            }
            catch (KeyStoreDamagedException e)
            {
                NoteDamage(e);
                throw;
            }
        }
    }

    /// <summary>
    /// As <see cref="Store(string, ReadOnlySpan{byte})"/>, returning a task. The key material is copied into secure
    /// memory before this method returns, so the caller may clear <paramref name="keyMaterial"/> as soon as it has the task.
    /// </summary>
    /// <remarks>
    /// On PostgreSQL the wait for the writers' lock, the read and the commit are asynchronous round trips, and
    /// readers of this instance are not held up meanwhile; a file store writes on the caller's thread, and the task
    /// is then complete when it is returned. A failure of the write is in the task, not thrown.
    /// <paramref name="cancellationToken"/> is observed until the writers' lock is held: a cancelled call stores nothing.
    /// </remarks>
    /// <param name="name">1 to 128 characters of A-Z, a-z, 0-9, '.', '_' and '-'.</param>
    /// <param name="keyMaterial">0 bytes to 1 MiB; copied at once, and not kept.</param>
    /// <param name="cancellationToken">Cancels the write until the writers' lock is held.</param>
    /// <returns>The new version number (1 for a new name).</returns>
    /// <exception cref="ArgumentException">The name or key material is invalid (thrown, not in the task).</exception>
    /// <exception cref="ObjectDisposedException">The storage was disposed.</exception>
    /// <exception cref="OperationCanceledException">The token was cancelled before the writers' lock was held; nothing was written (in the task).</exception>
    /// <exception cref="KeyStoreException">The file could not be locked, or the data key needs rotation (in the task).</exception>
    /// <exception cref="KeyStoreDamagedException">The store is damaged, was rolled back or replaced, or this instance found it so earlier; nothing was written (in the task).</exception>
    /// <exception cref="IOException">Writing the file failed; the change was not made (in the task).</exception>
    [SuppressMessage("ApiDesign", "RS0026:Do not add multiple public overloads with optional parameters", Justification = "The overloads differ in the type of keyMaterial, so no call is ambiguous; the optional token is the usual async shape.")]
    public Task<int> StoreAsync(string name, ReadOnlyMemory<byte> keyMaterial, CancellationToken cancellationToken = default) =>
        StoreAsyncCore(name, keyMaterial.Span, cancellationToken);

    /// <summary>
    /// As <see cref="StoreAsync(string, ReadOnlyMemory{byte}, CancellationToken)"/>, from a secure buffer. The key material is
    /// copied into secure memory before this method returns, so the caller may dispose <paramref name="keyMaterial"/> as soon as it has the task.
    /// </summary>
    /// <remarks>Asynchronous as <see cref="StoreAsync(string, ReadOnlyMemory{byte}, CancellationToken)"/> says.</remarks>
    /// <param name="name">1 to 128 characters of A-Z, a-z, 0-9, '.', '_' and '-'.</param>
    /// <param name="keyMaterial">0 bytes to 1 MiB; copied at once, and not kept.</param>
    /// <param name="cancellationToken">Cancels the write until the writers' lock is held.</param>
    /// <returns>The new version number (1 for a new name).</returns>
    /// <exception cref="ArgumentNullException"><paramref name="keyMaterial"/> is null.</exception>
    /// <exception cref="ArgumentException">The name or key material is invalid (thrown, not in the task).</exception>
    /// <exception cref="ObjectDisposedException">The storage or <paramref name="keyMaterial"/> was disposed.</exception>
    /// <exception cref="InvalidOperationException"><paramref name="keyMaterial"/> is set to no-access; call inside its <see cref="SecureBuffer.Access"/> scope.</exception>
    /// <exception cref="OperationCanceledException">The token was cancelled before the writers' lock was held; nothing was written (in the task).</exception>
    /// <exception cref="KeyStoreException">The file could not be locked, or the data key needs rotation (in the task).</exception>
    /// <exception cref="KeyStoreDamagedException">The store is damaged, was rolled back or replaced, or this instance found it so earlier; nothing was written (in the task).</exception>
    /// <exception cref="IOException">Writing the file failed; the change was not made (in the task).</exception>
    [SuppressMessage("ApiDesign", "RS0026:Do not add multiple public overloads with optional parameters", Justification = "The overloads differ in the type of keyMaterial, so no call is ambiguous; the optional token is the usual async shape.")]
    public Task<int> StoreAsync(string name, SecureBuffer keyMaterial, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(keyMaterial);
        return StoreAsyncCore(name, keyMaterial.Span, cancellationToken);
    }

    /// <summary>As <see cref="Delete"/>, returning a task.</summary>
    /// <remarks>Asynchronous as <see cref="StoreAsync(string, ReadOnlyMemory{byte}, CancellationToken)"/> says.</remarks>
    /// <param name="name">The key name.</param>
    /// <param name="cancellationToken">Cancels the write until the writers' lock is held.</param>
    /// <returns>Whether the name existed.</returns>
    /// <exception cref="ArgumentException">The name is invalid (thrown, not in the task).</exception>
    /// <exception cref="ObjectDisposedException">The storage was disposed.</exception>
    /// <exception cref="OperationCanceledException">The token was cancelled before the writers' lock was held; nothing was written (in the task).</exception>
    /// <exception cref="KeyStoreException">The file could not be locked (in the task).</exception>
    /// <exception cref="KeyStoreDamagedException">The store is damaged, was rolled back or replaced, or this instance found it so earlier; nothing was written (in the task).</exception>
    /// <exception cref="IOException">Writing the file failed (in the task).</exception>
    public Task<bool> DeleteAsync(string name, CancellationToken cancellationToken = default)
    {
        ThrowIfDisposed();
        var batch = new KeyStoreBatch(this);
        batch.Delete(name);
        return DeleteAsyncCore(batch, cancellationToken);
    }

    /// <summary>As <see cref="Refresh"/>, with the read asynchronous where the backend has asynchronous round trips.</summary>
    /// <remarks>
    /// A PostgreSQL store is read with asynchronous round trips, and no lock of this instance is held
    /// meanwhile; a file is read on the caller's thread, and the task is then complete when it is returned.
    /// A failure is in the task.
    /// </remarks>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>A task that completes when this instance holds the newest generation.</returns>
    /// <exception cref="InvalidOperationException">The storage is in memory only (thrown, not in the task).</exception>
    /// <exception cref="ObjectDisposedException">The storage was disposed.</exception>
    /// <exception cref="OperationCanceledException">The token was cancelled before the read began (in the task).</exception>
    /// <exception cref="KeyStoreCredentialException">Another process changed the credential (in the task).</exception>
    /// <exception cref="KeyStoreDamagedException">The file is damaged, was rolled back or replaced by another store, or this instance found it so earlier (in the task).</exception>
    public Task RefreshAsync(CancellationToken cancellationToken = default)
    {
        ThrowIfDisposed();
        var store = backend ?? throw Error.KeyStoreInMemory();
        return RefreshAsyncCore(store, cancellationToken);
    }

    /// <summary>Zeroes and frees the data key and master key, and zeroes the caller's key array of the in-memory constructor. Calling it again does nothing.</summary>
    public void Dispose()
    {
        lock (gate)
        {
            if (disposed)
            {
                return;
            }

            disposed = true;
            envelope.Dispose();
            backend?.Dispose();
            if (callerKey is not null)
            {
                SecureMemory.Zero(callerKey);
            }
        }
    }

    /// <summary>Describes the storage without any key material.</summary>
    /// <returns>The description.</returns>
    public override string ToString() => disposed
        ? "SecureKeyStorage(disposed)"
        : $"SecureKeyStorage({backend?.Location ?? "in memory"}, {envelope.State.Entries.Count} keys, generation {envelope.State.Generation})";

    /// <summary>Gets the live state, for tests that move ciphertexts around.</summary>
    internal KeyStoreState StateForTests => envelope.State;

    /// <summary>
    /// Creates a store in <paramref name="backend"/> unless one is already there: then it returns null and
    /// leaves the backend to the caller (to open the store that is there). Otherwise the storage owns
    /// the backend, and disposes it also when creating fails.
    /// </summary>
    internal static SecureKeyStorage? TryCreateIn(IKeyStoreBackend backend, KeyStoreCredential credential)
    {
        KeyStoreEnvelope? envelope = null;
        try
        {
            envelope = KeyStoreEnvelope.CreateNew(credential, backend.Binding, out byte[] image);
            if (backend.TryCreate(image))
            {
                return new SecureKeyStorage(backend, envelope);
            }
        }
        catch
        {
            envelope?.Dispose();
            backend.Dispose();
            throw;
        }

        envelope.Dispose();
        return null;
    }

    /// <summary>Creates a store in <paramref name="backend"/>, which the storage then owns (and disposes, also when creating fails).</summary>
    /// <exception cref="IOException">A store already exists there.</exception>
    internal static SecureKeyStorage CreateIn(IKeyStoreBackend backend, KeyStoreCredential credential)
    {
        KeyStoreEnvelope? envelope = null;
        try
        {
            envelope = KeyStoreEnvelope.CreateNew(credential, backend.Binding, out byte[] image);
            backend.Create(image);
            return new SecureKeyStorage(backend, envelope);
        }
        catch
        {
            envelope?.Dispose();
            backend.Dispose();
            throw;
        }
    }

    /// <summary>Opens the store in <paramref name="backend"/>, which the storage then owns (and disposes, also when opening fails).</summary>
    internal static SecureKeyStorage OpenIn(IKeyStoreBackend backend, KeyStoreCredential credential)
    {
        try
        {
            return Attach(backend, KeyStoreEnvelope.Open(backend.Location, backend.Binding, backend.Read(), credential));
        }
        catch
        {
            backend.Dispose();
            throw;
        }
    }

    /// <summary>A storage over a backend whose image <paramref name="envelope"/> was opened from or created for; it owns both.</summary>
    internal static SecureKeyStorage Attach(IKeyStoreBackend backend, KeyStoreEnvelope envelope) => new(backend, envelope);

    /// <summary>Applies a batch under the locks; returns per change the new version (Store) or 1/0 (Delete, DestroyVersion).</summary>
    internal int[] Commit(List<PendingChange> changes, CancellationToken cancellationToken = default) => InWriteTurn(() =>
    {
        lock (gate)
        {
            ThrowIfDisposed();
            ThrowIfFoundDamaged();

            // The last point at which a cancelled write leaves the store unchanged: past it the
            // writers' lock is taken and the commit runs to its end.
            cancellationToken.ThrowIfCancellationRequested();
            try
            {
                using var writer = BeginWrite();
                return envelope.Commit(changes, writer);
            }
            catch (KeyStoreDamagedException e)
            {
                NoteDamage(e);
                throw;
            }
        }
    });

    /// <summary>
    /// As <see cref="Commit"/>, with the backend's lock wait, read and commit awaited rather than blocking a thread
    /// (PostgreSQL; a file backend runs them synchronously). The gate is held only while the batch is applied and
    /// sealed, and while the committed state is adopted, so readers of this instance go on meanwhile.
    /// <paramref name="cancellationToken"/> is observed until the writers' lock is held: a cancelled call writes nothing.
    /// </summary>
    internal async Task<int[]> CommitAsync(List<PendingChange> changes, CancellationToken cancellationToken)
    {
        if (backend is null)
        {
            return Commit(changes, cancellationToken);
        }

        await writeTurn.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            lock (gate)
            {
                ThrowIfDisposed();
                ThrowIfFoundDamaged();
            }

            using var writer = await backend.BeginWriteAsync(cancellationToken).ConfigureAwait(false);
            var prepared = PrepareUnderGate(writer, changes);
            await writer.CommitAsync(prepared.Image).ConfigureAwait(false);
            lock (gate)
            {
                // Committed: the results stand even if this instance was disposed meanwhile.
                if (!disposed)
                {
                    envelope.Adopt(prepared);
                }
            }

            return prepared.Results;
        }
        finally
        {
            writeTurn.Release();
        }
    }

    /// <summary>Under the gate: catches up with the writer's image and applies and seals the batch (the first half of <see cref="CommitAsync"/>).</summary>
    private PreparedCommit PrepareUnderGate(IKeyStoreWriter writer, List<PendingChange> changes)
    {
        lock (gate)
        {
            ThrowIfDisposed();
            ThrowIfFoundDamaged();
            try
            {
                envelope.CatchUp(backend!.Location, writer);
                return envelope.Prepare(changes);
            }
            catch (KeyStoreDamagedException e)
            {
                NoteDamage(e);
                throw;
            }
        }
    }

    /// <summary>Runs a synchronous write in this instance's write turn (see <see cref="writeTurn"/>).</summary>
    private T InWriteTurn<T>(Func<T> write)
    {
        writeTurn.Wait();
        try
        {
            return write();
        }
        finally
        {
            writeTurn.Release();
        }
    }

    /// <summary>For a stored (not in-memory) storage: takes the writers' lock and catches up with what other writers committed.</summary>
    private IKeyStoreWriter? BeginWrite()
    {
        if (backend is null)
        {
            return null;
        }

        var writer = backend.BeginWrite();
        try
        {
            envelope.CatchUp(backend.Location, writer);
            return writer;
        }
        catch
        {
            writer.Dispose();
            throw;
        }
    }

    private bool TryRetrieveCore(string name, int? version, [NotNullWhen(true)] out SecureBuffer? key, out int foundVersion)
    {
        KeyNames.Validate(name, nameof(name));
        lock (gate)
        {
            ThrowIfDisposed();
            try
            {
                return envelope.TryDecrypt(name, version, out key, out foundVersion);
            }
            catch (KeyStoreDamagedException e)
            {
                NoteDamage(e);
                throw;
            }
        }
    }

    /// <summary>
    /// Reads without the gate, which cannot be held across an await (and would stop every other member
    /// for a round trip), then applies the image under it. A commit of this instance may have passed
    /// the image meanwhile: only then is the store read again, under the gate, where an older image is
    /// a rollback, as in <see cref="Refresh"/>.
    /// </summary>
    private async Task RefreshAsyncCore(IKeyStoreBackend store, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (gate)
        {
            ThrowIfDisposed();
            ThrowIfFoundDamaged();
        }

        byte[] image;
        try
        {
            image = await store.ReadAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (KeyStoreDamagedException e)
        {
            lock (gate)
            {
                NoteDamage(e);
            }

            throw;
        }

        lock (gate)
        {
            ThrowIfDisposed();
            ThrowIfFoundDamaged();
            try
            {
                bool overtaken = KeyStoreFormat.Parse(image).Generation < envelope.State.Generation;
                envelope.CatchUp(store.Location, overtaken ? store.Read() : image);
            }
            catch (KeyStoreDamagedException e)
            {
                NoteDamage(e);
                throw;
            }
        }
    }

    /// <summary>Seals the key material into a batch now, so the caller may clear its copy once it has the task, then commits it.</summary>
    private Task<int> StoreAsyncCore(string name, ReadOnlySpan<byte> keyMaterial, CancellationToken cancellationToken)
    {
        ThrowIfDisposed();
        var batch = new KeyStoreBatch(this);
        try
        {
            batch.Store(name, keyMaterial, metadata: null);
        }
        catch
        {
            batch.Dispose();
            throw;
        }

        return StoreAsyncCore(batch, cancellationToken);
    }

    private static async Task<int> StoreAsyncCore(KeyStoreBatch batch, CancellationToken cancellationToken) =>
        (await batch.CommitAndReturnResultsAsync(cancellationToken).ConfigureAwait(false))[0];

    private static async Task<bool> DeleteAsyncCore(KeyStoreBatch batch, CancellationToken cancellationToken) =>
        (await batch.CommitAndReturnResultsAsync(cancellationToken).ConfigureAwait(false))[0] != 0;

    /// <summary>Marks a store that OpenOrCreate created; if the marker cannot be written the call fails, and the next one opens the store.</summary>
    private static SecureKeyStorage WithMarker(SecureKeyStorage created, string fullPath)
    {
        try
        {
            KeyStoreCreatedMarker.Write(fullPath);
            return created;
        }
        catch
        {
            created.Dispose();
            throw;
        }
    }

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(disposed, this);

    /// <summary>Refuses the operation when this instance has already found its store damaged; the caller holds the gate.</summary>
    private void ThrowIfFoundDamaged()
    {
        if (damage is not null && backend is not null)
        {
            throw Error.KeyStoreFoundDamaged(backend.Location, damage);
        }
    }

    /// <summary>
    /// Remembers the first damage a stored (not in-memory) storage finds, so that every later write
    /// and Refresh is refused. An in-memory storage has no store to reopen, so it remembers nothing.
    /// The caller holds the gate.
    /// </summary>
    private void NoteDamage(KeyStoreDamagedException found)
    {
        if (backend is not null)
        {
            damage ??= found;
        }
    }
}
