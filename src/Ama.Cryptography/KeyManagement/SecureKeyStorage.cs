using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;

namespace Ama.Cryptography.KeyManagement;

/// <summary>
/// Key material encrypted with AES-256-GCM, decrypted on access straight into a
/// <see cref="SecureBuffer"/>: in memory (the seed's <c>SecureKeyStorage</c>), or in a key store
/// file that is crash-safe, tamper-evident and shared safely between processes.
/// </summary>
/// <remarks>
/// <para>
/// Every entry is sealed under a random data key with a random 96-bit nonce and associated data
/// that binds the store's identity, the name, the version and the metadata, so a ciphertext moved
/// to another name, version or store does not decrypt. A data key seals at most 2^32 entries
/// (then <see cref="Store(string, ReadOnlySpan{byte})"/> asks for <see cref="RotateDataKey"/>).
/// </para>
/// <para>
/// A file-backed store reads the file at <see cref="Open"/>, at <see cref="Refresh"/> and before
/// each write. Writers take an exclusive lock, reload the file when another process wrote a newer
/// generation and apply their change on top of it, so no update is lost. All members are thread-safe.
/// After <see cref="Dispose"/> every member throws <see cref="ObjectDisposedException"/>.
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
    private readonly byte[]? callerKey;
    private readonly string? path;
    private KeyStoreState state;
    private KeyRing ring;
    private SecureBuffer? masterKey;
    private bool disposed;

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
        ring = KeyRing.FromDataKey(encryptionKey);
        state = new KeyStoreState { StoreId = RandomNumberGenerator.GetBytes(16) };
    }

    private SecureKeyStorage(string path, KeyStoreState state, KeyRing ring, SecureBuffer masterKey)
    {
        this.path = path;
        this.state = state;
        this.ring = ring;
        this.masterKey = masterKey;
    }

    /// <summary>Gets the full path of the key store file, or <see langword="null"/> for an in-memory storage.</summary>
    public string? FilePath => path;

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
                return (long)state.Generation;
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
                return state.Kdf;
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
        string fullPath = Path.GetFullPath(path);
        var state = new KeyStoreState
        {
            StoreId = RandomNumberGenerator.GetBytes(16),
            Generation = 1,
            Kdf = credential.Kdf,
            Salt = credential.IsPassword ? RandomNumberGenerator.GetBytes(KeyDerivation.SaltLength) : new byte[KeyDerivation.SaltLength],
        };
        var master = new SecureBuffer(KeyDerivation.KeyLength);
        var ring = KeyRing.CreateRandom();
        try
        {
            credential.DeriveMasterKey(state.Kdf, state.Salt, master.Span);
            state.Commitment = KeyRing.Commitment(master.Span, state);
            ring.Wrap(master.Span, state);
            // Checked before the lock too, so that a directory at the path does not get a stray lock file beside it.
            if (KeyStorePath.AnythingAt(KeyStorePath.WriteTarget(fullPath)))
            {
                throw Error.KeyStoreExists(fullPath);
            }

            using (var writeLock = KeyStoreWriteLock.Acquire(fullPath))
            {
                if (KeyStorePath.AnythingAt(writeLock.Target))
                {
                    throw Error.KeyStoreExists(fullPath);
                }

                writeLock.Replace(KeyStoreFormat.Serialize(state, ring.MacKey));
            }

            return new SecureKeyStorage(fullPath, state, ring, master);
        }
        catch
        {
            ring.Dispose();
            master.Dispose();
            throw;
        }
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
        string fullPath = Path.GetFullPath(path);
        byte[] file = KeyStoreFile.Read(fullPath);
        var state = KeyStoreFormat.Parse(file);
        if ((state.Kdf is not null) != credential.IsPassword)
        {
            throw Error.KeyStoreCredentialKind(fullPath, state.Kdf is not null);
        }

        var master = new SecureBuffer(KeyDerivation.KeyLength);
        try
        {
            credential.DeriveMasterKey(state.Kdf, state.Salt, master.Span);
            var ring = Authenticate(fullPath, file, state, master.Span, wrongCredential: Error.KeyStoreWrongCredential);
            return new SecureKeyStorage(fullPath, state, ring, master);
        }
        catch
        {
            master.Dispose();
            throw;
        }
    }

    /// <summary>Stores <paramref name="keyMaterial"/> under <paramref name="name"/> as a new version, which becomes the primary.</summary>
    /// <param name="name">1 to 128 characters of A-Z, a-z, 0-9, '.', '_' and '-'.</param>
    /// <param name="keyMaterial">0 bytes to 1 MiB; it is encrypted at once and not kept.</param>
    /// <returns>The new version number (1 for a new name).</returns>
    /// <exception cref="ArgumentException">The name or key material is invalid.</exception>
    /// <exception cref="ObjectDisposedException">The storage was disposed.</exception>
    /// <exception cref="KeyStoreException">The file could not be locked, was replaced, or the data key needs rotation.</exception>
    /// <exception cref="IOException">Writing the file failed; the change was not made.</exception>
    public int Store(string name, ReadOnlySpan<byte> keyMaterial) => Store(name, keyMaterial, metadata: null);

    /// <summary>Stores <paramref name="keyMaterial"/> with metadata under <paramref name="name"/> as a new version, which becomes the primary.</summary>
    /// <param name="name">1 to 128 characters of A-Z, a-z, 0-9, '.', '_' and '-'.</param>
    /// <param name="keyMaterial">0 bytes to 1 MiB; it is encrypted at once and not kept.</param>
    /// <param name="metadata">Up to 64 string pairs, authenticated with the key but not encrypted; null for none.</param>
    /// <returns>The new version number (1 for a new name).</returns>
    /// <exception cref="ArgumentException">The name, key material or metadata is invalid.</exception>
    /// <exception cref="ObjectDisposedException">The storage was disposed.</exception>
    /// <exception cref="KeyStoreException">The file could not be locked, was replaced, or the data key needs rotation.</exception>
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
        TryRetrieveCore(name, version: null, out var key) ? key : throw Error.KeyStoreNameNotFound(name);

    /// <summary>Decrypts one version of <paramref name="name"/> into a new secure buffer.</summary>
    /// <param name="name">The key name.</param>
    /// <param name="version">The version number, as <see cref="Store(string, ReadOnlySpan{byte})"/> returned it.</param>
    /// <returns>The key material; the caller disposes it.</returns>
    /// <exception cref="ArgumentException">The name is invalid.</exception>
    /// <exception cref="KeyNotFoundException">No such name or version.</exception>
    /// <exception cref="KeyStoreDamagedException">The entry does not decrypt.</exception>
    /// <exception cref="ObjectDisposedException">The storage was disposed.</exception>
    public SecureBuffer Retrieve(string name, int version) =>
        TryRetrieveCore(name, version, out var key) ? key : throw Error.KeyStoreVersionNotFound(name, version);

    /// <summary>Decrypts the primary version of <paramref name="name"/> if there is one.</summary>
    /// <param name="name">The key name.</param>
    /// <param name="key">The key material (the caller disposes it), or <see langword="null"/>.</param>
    /// <returns>Whether the name exists.</returns>
    /// <exception cref="ArgumentException">The name is invalid.</exception>
    /// <exception cref="KeyStoreDamagedException">The entry does not decrypt.</exception>
    /// <exception cref="ObjectDisposedException">The storage was disposed.</exception>
    public bool TryRetrieve(string name, [NotNullWhen(true)] out SecureBuffer? key) => TryRetrieveCore(name, version: null, out key);

    /// <summary>Removes <paramref name="name"/> with all its versions.</summary>
    /// <param name="name">The key name.</param>
    /// <returns>Whether the name existed.</returns>
    /// <exception cref="ArgumentException">The name is invalid.</exception>
    /// <exception cref="ObjectDisposedException">The storage was disposed.</exception>
    /// <exception cref="KeyStoreException">The file could not be locked or was replaced.</exception>
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
    /// <exception cref="KeyStoreException">The file could not be locked or was replaced.</exception>
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
            return state.Entries.ContainsKey(name);
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
            return [.. state.Entries.Keys];
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
            if (!state.Entries.TryGetValue(name, out var entry))
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
    /// <exception cref="KeyStoreException">The file could not be locked or was replaced.</exception>
    /// <exception cref="IOException">Writing the file failed; the old credential still opens it.</exception>
    public void ChangeCredential(KeyStoreCredential newCredential)
    {
        ArgumentNullException.ThrowIfNull(newCredential);
        newCredential.ThrowIfDisposed();
        lock (gate)
        {
            ThrowIfDisposed();
            string file = path ?? throw Error.KeyStoreInMemory();
            var newMaster = new SecureBuffer(KeyDerivation.KeyLength);
            try
            {
                using (var writeLock = KeyStoreWriteLock.Acquire(file))
                {
                    ReloadUnderLock();
                    var draft = state.Draft();
                    draft.Kdf = newCredential.Kdf;
                    draft.Salt = newCredential.IsPassword ? RandomNumberGenerator.GetBytes(KeyDerivation.SaltLength) : new byte[KeyDerivation.SaltLength];
                    newCredential.DeriveMasterKey(draft.Kdf, draft.Salt, newMaster.Span);
                    draft.Commitment = KeyRing.Commitment(newMaster.Span, draft);
                    ring.Wrap(newMaster.Span, draft);
                    Write(draft, ring, writeLock);
                }

                (masterKey, newMaster) = (newMaster, masterKey!);
            }
            finally
            {
                newMaster.Dispose();
            }
        }
    }

    /// <summary>
    /// Replaces the data key with a new random one and re-encrypts every version of every key under it,
    /// which also resets the 2^32-encryption budget. Each version keeps its creation time. For a file, it is one new generation.
    /// </summary>
    /// <exception cref="ObjectDisposedException">The storage was disposed.</exception>
    /// <exception cref="KeyStoreDamagedException">An entry does not decrypt under the old key.</exception>
    /// <exception cref="KeyStoreException">The file could not be locked or was replaced.</exception>
    /// <exception cref="IOException">Writing the file failed; the old data key stays in use.</exception>
    public void RotateDataKey()
    {
        lock (gate)
        {
            ThrowIfDisposed();
            using var writeLock = path is null ? null : KeyStoreWriteLock.Acquire(path);
            ReloadUnderLock();
            var newRing = KeyRing.CreateRandom();
            try
            {
                var rotated = Reencrypt(newRing);
                if (masterKey is not null)
                {
                    newRing.Wrap(masterKey.Span, rotated);
                }

                Write(rotated, newRing, writeLock);
                (ring, newRing) = (newRing, ring);
            }
            finally
            {
                newRing.Dispose();
            }
        }
    }

    /// <summary>Reads the file again if another process wrote a newer generation since this instance last read or wrote it.</summary>
    /// <exception cref="InvalidOperationException">The storage is in memory only.</exception>
    /// <exception cref="ObjectDisposedException">The storage was disposed.</exception>
    /// <exception cref="KeyStoreCredentialException">Another process changed the credential.</exception>
    /// <exception cref="KeyStoreDamagedException">The file is damaged or was rolled back.</exception>
    public void Refresh()
    {
        lock (gate)
        {
            ThrowIfDisposed();
            _ = path ?? throw Error.KeyStoreInMemory();
            ReloadUnderLock();
        }
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
            ring.Dispose();
            masterKey?.Dispose();
            if (callerKey is not null)
            {
                SecureMemory.Zero(callerKey);
            }

            state.Entries.Clear();
        }
    }

    /// <summary>Describes the storage without any key material.</summary>
    /// <returns>The description.</returns>
    public override string ToString() => disposed
        ? "SecureKeyStorage(disposed)"
        : $"SecureKeyStorage({path ?? "in memory"}, {state.Entries.Count} keys, generation {state.Generation})";

    /// <summary>Gets the live state, for tests that move ciphertexts around.</summary>
    internal KeyStoreState StateForTests => state;

    /// <summary>Applies a batch under the locks; returns per change the new version (Store) or 1/0 (Delete, DestroyVersion).</summary>
    internal int[] Commit(List<PendingChange> changes)
    {
        lock (gate)
        {
            ThrowIfDisposed();
            using var writeLock = path is null ? null : KeyStoreWriteLock.Acquire(path);
            ReloadUnderLock();
            var draft = state.Draft();
            var results = ApplyAll(draft, changes);
            Write(draft, ring, writeLock);
            return results;
        }
    }

    private static KeyRing Authenticate(string fullPath, byte[] file, KeyStoreState state, ReadOnlySpan<byte> master, Func<string, KeyStoreCredentialException> wrongCredential)
    {
        if (!CryptographicOperations.FixedTimeEquals(KeyRing.Commitment(master, state), state.Commitment))
        {
            throw wrongCredential(fullPath);
        }

        var ring = KeyRing.Unwrap(master, state) ?? throw Error.KeyStoreDamaged("the wrapped data key does not decrypt");
        if (!KeyStoreFormat.MacMatches(file, ring.MacKey))
        {
            ring.Dispose();
            throw Error.KeyStoreDamaged("the whole-file MAC does not match (entries were changed, removed, reordered or swapped)");
        }

        return ring;
    }

    private bool TryRetrieveCore(string name, int? version, [NotNullWhen(true)] out SecureBuffer? key)
    {
        KeyNames.Validate(name, nameof(name));
        lock (gate)
        {
            ThrowIfDisposed();
            key = null;
            if (!state.Entries.TryGetValue(name, out var entry))
            {
                return false;
            }

            var sealedVersion = version is { } v ? entry.Find(v) : entry.Primary;
            if (sealedVersion is null)
            {
                return false;
            }

            key = Decrypt(entry.Name, sealedVersion);
            return true;
        }
    }

    private SecureBuffer Decrypt(string name, SealedVersion version)
    {
        var buffer = new SecureBuffer(version.Length);
        using var cipher = new EntryCipher(ring);
        if (!cipher.TryOpen(state.StoreId, name, version, buffer.Span))
        {
            buffer.Dispose();
            throw Error.KeyStoreEntryDamaged(name, version.Version);
        }

        return buffer;
    }

    /// <summary>Applies the changes to <paramref name="draft"/>, which replaces the live state only when it is written, so a batch is all or nothing in memory as in the file.</summary>
    private int[] ApplyAll(KeyStoreState draft, List<PendingChange> changes)
    {
        var results = new int[changes.Count];
        using var cipher = new EntryCipher(ring);
        for (int i = 0; i < changes.Count; i++)
        {
            results[i] = Apply(draft, cipher, changes[i]);
        }

        return results;
    }

    private static int Apply(KeyStoreState draft, EntryCipher cipher, PendingChange change)
    {
        switch (change.Kind)
        {
            case PendingChange.ChangeKind.Store:
                return StoreOne(draft, cipher, change);
            case PendingChange.ChangeKind.Delete:
                return draft.Entries.Remove(change.Name) ? 1 : 0;
            default:
                return DestroyOne(draft, change.Name, change.Version) ? 1 : 0;
        }
    }

    private static int StoreOne(KeyStoreState draft, EntryCipher cipher, PendingChange change)
    {
        draft.Entries.TryGetValue(change.Name, out var entry);
        if (entry?.Versions.Count == ushort.MaxValue)
        {
            throw Error.KeyStoreTooManyVersions(change.Name);
        }

        int version = entry?.NextVersion ?? 1;
        var sealedVersion = cipher.Seal(draft, change.Name, version, change.Metadata, change.Plaintext!.Span);
        if (entry is null)
        {
            entry = new KeyEntry(change.Name);
            draft.Entries.Add(change.Name, entry);
        }

        entry.NextVersion = version + 1;
        entry.Versions.Add(sealedVersion);
        return version;
    }

    private static bool DestroyOne(KeyStoreState draft, string name, int version)
    {
        if (!draft.Entries.TryGetValue(name, out var entry) || entry.Versions.RemoveAll(v => v.Version == version) == 0)
        {
            return false;
        }

        if (entry.Versions.Count == 0)
        {
            draft.Entries.Remove(name);
        }

        return true;
    }

    /// <summary>Returns the live state re-sealed under <paramref name="newRing"/>; each version keeps its creation time.</summary>
    private KeyStoreState Reencrypt(KeyRing newRing)
    {
        using var oldCipher = new EntryCipher(ring);
        using var newCipher = new EntryCipher(newRing);
        var rotated = new KeyStoreState
        {
            StoreId = state.StoreId,
            Generation = state.Generation,
            Kdf = state.Kdf,
            Salt = state.Salt,
            Commitment = state.Commitment,
            WrappedDataKey = state.WrappedDataKey,
        };
        foreach (var entry in state.Entries.Values)
        {
            var copy = new KeyEntry(entry.Name) { NextVersion = entry.NextVersion };
            foreach (var version in entry.Versions)
            {
                using var plaintext = new SecureBuffer(version.Length);
                if (!oldCipher.TryOpen(state.StoreId, entry.Name, version, plaintext.Span))
                {
                    throw Error.KeyStoreEntryDamaged(entry.Name, version.Version);
                }

                copy.Versions.Add(newCipher.Seal(rotated, entry.Name, version.Version, version.Metadata, plaintext.Span, version.CreatedUnixMs));
            }

            rotated.Entries.Add(entry.Name, copy);
        }

        return rotated;
    }

    /// <summary>Brings the live state up to the file's newest generation; for a writer, called while it holds the file lock.</summary>
    private void ReloadUnderLock()
    {
        if (path is null)
        {
            return;
        }

        byte[] file = KeyStoreFile.Read(path);
        var current = KeyStoreFormat.Parse(file);
        if (!current.StoreId.AsSpan().SequenceEqual(state.StoreId))
        {
            throw Error.KeyStoreReplaced(path);
        }

        // The live state only ever holds a generation that was read from the file or written to it
        // (a failed change never touches it), so it is the floor a rollback is measured against.
        if (current.Generation < state.Generation)
        {
            throw Error.KeyStoreRolledBack(path, state.Generation, current.Generation);
        }

        if (current.Generation == state.Generation)
        {
            return;
        }

        var newRing = Authenticate(path, file, current, masterKey!.Span, Error.KeyStoreCredentialChanged);
        ring.Dispose();
        ring = newRing;
        state = current;
    }

    /// <summary>Commits <paramref name="next"/> as the next generation: written (for a file) first, then made the live state.</summary>
    private void Write(KeyStoreState next, KeyRing macRing, KeyStoreWriteLock? writeLock)
    {
        next.Generation = state.Generation + 1;
        writeLock?.Replace(KeyStoreFormat.Serialize(next, macRing.MacKey));
        state = next;
    }

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(disposed, this);
}
