namespace Ama.Cryptography.KeyManagement;

/// <summary>
/// A key store in one file: read whole, replaced by write-to-temporary, fsync and rename under an
/// exclusive lock on "path.lock", so readers see the old image or the new one and never a mix.
/// </summary>
internal sealed class KeyStoreFileBackend : IKeyStoreBackend
{
    internal KeyStoreFileBackend(string fullPath) => Location = fullPath;

    public string Location { get; }

    /// <summary>Gets <see cref="KeyStoreBinding.File"/>: a file's path is not bound (docs/threat-model.md says why).</summary>
    public KeyStoreBinding Binding => KeyStoreBinding.File;

    public byte[] Read() => KeyStoreFile.Read(Location);

    public void Create(byte[] image)
    {
        // Checked before the lock too, so that a directory at the path does not get a stray lock file beside it.
        if (KeyStorePath.AnythingAt(KeyStorePath.WriteTarget(Location)))
        {
            throw Error.KeyStoreExists(Location);
        }

        using var writeLock = KeyStoreWriteLock.Acquire(Location);
        if (KeyStorePath.AnythingAt(writeLock.Target))
        {
            throw Error.KeyStoreExists(Location);
        }

        writeLock.Replace(image);
    }

    public bool TryCreate(byte[] image)
    {
        using var writeLock = KeyStoreWriteLock.Acquire(Location);
        if (KeyStorePath.AnythingAt(writeLock.Target))
        {
            return false;
        }

        // Under the lock: a creator that won the race wrote its store before this one took the lock.
        KeyStoreCreatedMarker.ThrowIfStoreExisted(Location);
        writeLock.Replace(image);
        return true;
    }

    public IKeyStoreWriter BeginWrite() => new Writer(Location, KeyStoreWriteLock.Acquire(Location));

    public void Dispose()
    {
        // A file store holds nothing open between operations.
    }

    private sealed class Writer(string path, KeyStoreWriteLock writeLock) : IKeyStoreWriter
    {
        public byte[] Read() => KeyStoreFile.Read(path);

        public byte[]? ReadIfChanged(ReadOnlySpan<byte> trailer, ReadOnlyMemory<byte> image)
        {
            bool unchanged = image.IsEmpty ? KeyStoreFile.IsUnchanged(path, trailer) : KeyStoreFile.Holds(path, image.Span);
            return unchanged ? null : KeyStoreFile.Read(path);
        }

        public void Commit(ReadOnlyMemory<byte> image) => writeLock.Replace(image.Span);

        public void Dispose() => writeLock.Dispose();
    }
}
