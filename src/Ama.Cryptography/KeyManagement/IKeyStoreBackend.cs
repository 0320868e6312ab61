namespace Ama.Cryptography.KeyManagement;

/// <summary>
/// Where a key store's sealed image lives: a file, or rows in a database. A backend moves whole
/// images (the format of docs/keystore-format.md) and knows nothing of keys or MACs; every check
/// that the image is authentic, current and the same store is <see cref="KeyStoreEnvelope"/>'s.
/// </summary>
internal interface IKeyStoreBackend : IDisposable
{
    /// <summary>Gets how messages name the store: the file's path, or the database store's name.</summary>
    string Location { get; }

    /// <summary>Gets where the store lives as its MAC binds it: an image written for one place does not authenticate in another.</summary>
    KeyStoreBinding Binding { get; }

    /// <summary>Reads the newest committed image, whole: never half of one commit and half of another.</summary>
    /// <exception cref="KeyStoreException">The store does not exist or cannot be read.</exception>
    byte[] Read();

    /// <summary>As <see cref="Read"/>, with the round trips asynchronous where the backend has them (a database); a file is read synchronously.</summary>
    /// <exception cref="KeyStoreException">The store does not exist or cannot be read.</exception>
    Task<byte[]> ReadAsync(CancellationToken cancellationToken) => Task.FromResult(Read());

    /// <summary>Writes the first image of a new store.</summary>
    /// <exception cref="IOException">A store already exists there; nothing was changed.</exception>
    void Create(byte[] image);

    /// <summary>
    /// Writes the first image of a new store unless a store is already there, deciding atomically
    /// (under the writers' lock, or in one INSERT), so that of racing creators exactly one writes.
    /// A file backend also refuses where the "created" marker says a store existed.
    /// </summary>
    /// <returns>Whether this call created the store; false when one already exists (nothing was changed).</returns>
    /// <exception cref="KeyStoreException">A file store is missing but its marker is there.</exception>
    bool TryCreate(byte[] image);

    /// <summary>Takes the writers' lock: until the writer is disposed no other writer, in any process, commits.</summary>
    IKeyStoreWriter BeginWrite();

    /// <summary>As <see cref="BeginWrite"/>, waiting for the lock and reading with asynchronous round trips where the backend has them.</summary>
    Task<IKeyStoreWriter> BeginWriteAsync(CancellationToken cancellationToken) => Task.FromResult(BeginWrite());
}
