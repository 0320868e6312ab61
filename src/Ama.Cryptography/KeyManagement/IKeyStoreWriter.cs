namespace Ama.Cryptography.KeyManagement;

/// <summary>One writer holding a backend's lock: it reads the current image, then replaces it at most once, atomically.</summary>
internal interface IKeyStoreWriter : IDisposable
{
    /// <summary>Reads the current image under the lock.</summary>
    byte[] Read();

    /// <summary>Replaces the image; when it returns, the new image is durable, and when it throws, the old one is still there.</summary>
    void Commit(byte[] image);
}
