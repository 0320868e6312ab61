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

    /// <summary>Writes the first image of a new store.</summary>
    /// <exception cref="IOException">A store already exists there; nothing was changed.</exception>
    void Create(byte[] image);

    /// <summary>Takes the writers' lock: until the writer is disposed no other writer, in any process, commits.</summary>
    IKeyStoreWriter BeginWrite();
}
