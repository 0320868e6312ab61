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
    /// <param name="trailer">The trailer of the image the caller last read or wrote.</param>
    /// <param name="image">That image itself, when the caller still holds it; empty otherwise.</param>
    byte[]? ReadIfChanged(ReadOnlySpan<byte> trailer, ReadOnlyMemory<byte> image) => Read();

    /// <summary>Replaces the image; when it returns, the new image is durable, and when it throws, the old one is still there.</summary>
    /// <remarks>The caller writes its next image into the same memory: a writer that keeps the image copies it.</remarks>
    void Commit(ReadOnlyMemory<byte> image);

    /// <summary>As <see cref="Commit"/>, with the round trip asynchronous where the backend has one (a database); a file is written synchronously.</summary>
    /// <remarks>Not cancellable: a commit that has started runs to its end, so that its outcome is known.</remarks>
    Task CommitAsync(ReadOnlyMemory<byte> image)
    {
        Commit(image);
        return Task.CompletedTask;
    }
}
