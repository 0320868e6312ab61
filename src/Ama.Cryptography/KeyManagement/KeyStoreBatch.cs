namespace Ama.Cryptography.KeyManagement;

/// <summary>
/// Many changes written as one new generation of the key store, with one lock and one fsync.
/// Nothing is written until <see cref="Commit"/>; disposing an uncommitted batch discards it
/// and zeroes the key material it held.
/// </summary>
/// <example>
/// <code>
/// using (var batch = storage.BeginBatch())
/// {
///     batch.Store("api-signing", signingKey);
///     batch.Delete("old-api-signing");
///     batch.Commit();
/// }
/// </code>
/// </example>
public sealed class KeyStoreBatch : IDisposable
{
    private readonly SecureKeyStorage storage;
    private readonly List<PendingChange> changes = [];
    private bool finished;

    internal KeyStoreBatch(SecureKeyStorage storage) => this.storage = storage;

    /// <summary>Gets how many changes the batch holds.</summary>
    public int Count => changes.Count;

    /// <summary>Adds a new version of <paramref name="name"/>; the key material is copied into secure memory now and sealed at the commit.</summary>
    /// <param name="name">1 to 128 characters of A-Z, a-z, 0-9, '.', '_' and '-'.</param>
    /// <param name="keyMaterial">0 bytes to 1 MiB.</param>
    /// <param name="metadata">Optional string pairs stored (authenticated, not encrypted) with the version.</param>
    /// <exception cref="ArgumentException">The name, key material or metadata is invalid.</exception>
    /// <exception cref="InvalidOperationException">The batch was committed or disposed.</exception>
    public void Store(string name, ReadOnlySpan<byte> keyMaterial, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ThrowIfFinished();
        KeyNames.Validate(name, nameof(name));
        if (keyMaterial.Length > KeyStoreFormat.MaxKeyMaterialLength)
        {
            throw Error.KeyStoreKeyTooLong(nameof(keyMaterial), keyMaterial.Length);
        }

        var normalized = KeyMetadata.Normalize(metadata);
        var plaintext = new SecureBuffer(keyMaterial.Length);
        keyMaterial.CopyTo(plaintext.Span);
        changes.Add(new PendingChange { Kind = PendingChange.ChangeKind.Store, Name = name, Plaintext = plaintext, Metadata = normalized });
    }

    /// <summary>Removes <paramref name="name"/> and all its versions at the commit; a missing name is ignored.</summary>
    /// <param name="name">The key name.</param>
    /// <exception cref="ArgumentException">The name is invalid.</exception>
    /// <exception cref="InvalidOperationException">The batch was committed or disposed.</exception>
    public void Delete(string name)
    {
        ThrowIfFinished();
        KeyNames.Validate(name, nameof(name));
        changes.Add(new PendingChange { Kind = PendingChange.ChangeKind.Delete, Name = name });
    }

    /// <summary>Destroys one version of <paramref name="name"/> at the commit; a missing version is ignored.</summary>
    /// <param name="name">The key name.</param>
    /// <param name="version">The version number.</param>
    /// <exception cref="ArgumentException">The name is invalid.</exception>
    /// <exception cref="InvalidOperationException">The batch was committed or disposed.</exception>
    public void DestroyVersion(string name, int version)
    {
        ThrowIfFinished();
        KeyNames.Validate(name, nameof(name));
        changes.Add(new PendingChange { Kind = PendingChange.ChangeKind.DestroyVersion, Name = name, Version = version });
    }

    /// <summary>Applies the changes in order and, for a file-backed store, writes them as one generation (one lock, one fsync).</summary>
    /// <exception cref="InvalidOperationException">The batch was committed or disposed.</exception>
    /// <exception cref="ObjectDisposedException">The storage was disposed.</exception>
    /// <exception cref="KeyStoreException">The file could not be locked, was replaced or damaged, or a change could not be made; nothing was written and no change of the batch was applied, in memory either.</exception>
    /// <exception cref="IOException">Writing the file failed; nothing was written and no change of the batch was applied.</exception>
    public void Commit()
    {
        ThrowIfFinished();
        try
        {
            _ = storage.Commit(changes);
        }
        finally
        {
            Dispose();
        }
    }

    /// <summary>Zeroes the key material the batch still holds and ends it; an uncommitted batch is discarded.</summary>
    public void Dispose()
    {
        finished = true;
        foreach (var change in changes)
        {
            change.Dispose();
        }
    }

    internal int[] CommitAndReturnResults(CancellationToken cancellationToken = default)
    {
        ThrowIfFinished();
        try
        {
            return storage.Commit(changes, cancellationToken);
        }
        finally
        {
            Dispose();
        }
    }

    /// <summary>As <see cref="CommitAndReturnResults"/>, with the backend's round trips awaited (see <see cref="SecureKeyStorage.CommitAsync"/>).</summary>
    internal async Task<int[]> CommitAndReturnResultsAsync(CancellationToken cancellationToken)
    {
        ThrowIfFinished();
        try
        {
            return await storage.CommitAsync(changes, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            Dispose();
        }
    }

    private void ThrowIfFinished()
    {
        if (finished)
        {
            throw Error.KeyStoreBatchFinished();
        }
    }
}
