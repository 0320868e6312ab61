namespace Ama.Cryptography.KeyManagement;

/// <summary>One writer holding a backend's lock: it reads the current image, then replaces it at most once, atomically.</summary>
internal interface IKeyStoreWriter : IDisposable
{
    /// <summary>Reads the current image under the lock.</summary>
    byte[] Read();

    /// <summary>
    /// Reads the current image under the lock unless it is still the image whose trailer is
    /// <paramref name="trailer"/>, and then returns null: a writer then holds one image (the one
    /// it writes) instead of two. A backend that cannot tell cheaply reads the image.
    /// </summary>
    byte[]? ReadIfChanged(ReadOnlySpan<byte> trailer) => Read();

    /// <summary>Replaces the image; when it returns, the new image is durable, and when it throws, the old one is still there.</summary>
    void Commit(byte[] image);
}
