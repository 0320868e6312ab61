namespace Ama.Cryptography.KeyManagement;

/// <summary>
/// One key version bound to one AEAD, as <see cref="KeyRingAead"/> uses it. The key lives in the secure memory of the
/// wrapped Secure* type. Reference-counted: the ring's cache holds one reference and every call in flight another, so a
/// version pruned after it was destroyed in the store is freed only when the last call using it has returned.
/// </summary>
internal abstract class KeyRingCipher(int version)
{
    private int references = 1;

    /// <summary>Gets the key version this cipher holds.</summary>
    internal int Version { get; } = version;

    internal abstract KeyRingAlgorithm Algorithm { get; }

    internal abstract int NonceSize { get; }

    internal abstract int TagSize { get; }

    /// <summary>Builds the cipher for <paramref name="algorithm"/> around a 32-byte key, which is copied into secure memory.</summary>
    internal static KeyRingCipher Create(KeyRingAlgorithm algorithm, int version, SecureBuffer key) => algorithm switch
    {
        KeyRingAlgorithm.XChaCha20Poly1305 => new XChaCha20Poly1305KeyRingCipher(version, key),
        KeyRingAlgorithm.Aegis256 => new Aegis256KeyRingCipher(version, key),
        _ => throw Error.KeyRingAlgorithmUnsupported((byte)algorithm),
    };

    internal static int NonceSizeOf(KeyRingAlgorithm algorithm) => algorithm switch
    {
        KeyRingAlgorithm.XChaCha20Poly1305 => SecureXChaCha20Poly1305.NonceSizeInBytes,
        KeyRingAlgorithm.Aegis256 => SecureAegis256.NonceSizeInBytes,
        _ => throw Error.KeyRingAlgorithmUnsupported((byte)algorithm),
    };

    internal static int TagSizeOf(KeyRingAlgorithm algorithm) => algorithm switch
    {
        KeyRingAlgorithm.XChaCha20Poly1305 => SecureXChaCha20Poly1305.TagSizeInBytes,
        KeyRingAlgorithm.Aegis256 => SecureAegis256.TagSizeInBytes,
        _ => throw Error.KeyRingAlgorithmUnsupported((byte)algorithm),
    };

    internal static bool IsSupported(KeyRingAlgorithm algorithm) => algorithm switch
    {
        KeyRingAlgorithm.XChaCha20Poly1305 => SecureXChaCha20Poly1305.IsSupported,
        KeyRingAlgorithm.Aegis256 => SecureAegis256.IsSupported,
        _ => false,
    };

    internal abstract void Encrypt(ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> plaintext, Span<byte> ciphertext, Span<byte> tag, ReadOnlySpan<byte> associatedData);

    internal abstract void Decrypt(ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> ciphertext, ReadOnlySpan<byte> tag, Span<byte> plaintext, ReadOnlySpan<byte> associatedData);

    internal abstract SecureBuffer DecryptToSecureBuffer(ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> ciphertext, ReadOnlySpan<byte> tag, ReadOnlySpan<byte> associatedData);

    /// <summary>Takes a reference; only the ring's cache calls it, under its lock, while it still holds its own.</summary>
    internal void AddReference() => Interlocked.Increment(ref references);

    /// <summary>Drops a reference; the last one frees the key.</summary>
    internal void Release()
    {
        if (Interlocked.Decrement(ref references) == 0)
        {
            DisposeKey();
        }
    }

    protected abstract void DisposeKey();
}
