using Ama.Cryptography.Primitives;

namespace Ama.Cryptography.KeyManagement;

/// <summary>
/// One key version bound to one AEAD, as <see cref="KeyRingAead"/> uses it. The key lives in the secure memory of the
/// libsodium AEAD core that the public Secure* types wrap too. Reference-counted: the ring's cache holds one reference and every call in flight another, so a
/// version pruned after it was destroyed in the store is freed only when the last call using it has returned.
/// </summary>
internal sealed class KeyRingCipher
{
    private readonly SodiumAead core;
    private int references = 1;

    private KeyRingCipher(int version, KeyRingAlgorithm algorithm, SodiumAead core)
    {
        Version = version;
        Algorithm = algorithm;
        this.core = core;
    }

    /// <summary>Gets the key version this cipher holds.</summary>
    internal int Version { get; }

    internal KeyRingAlgorithm Algorithm { get; }

    internal int NonceSize => core.NonceLength;

    internal int TagSize => core.TagLength;

    /// <summary>Builds the cipher for <paramref name="algorithm"/> around a 32-byte key, which is copied into secure memory.</summary>
    /// <exception cref="PlatformNotSupportedException">This host cannot run <paramref name="algorithm"/>.</exception>
    internal static KeyRingCipher Create(KeyRingAlgorithm algorithm, int version, SecureBuffer key)
    {
        if (!IsSupported(algorithm))
        {
            throw Error.AeadNotSupported(algorithm == KeyRingAlgorithm.Aegis256 ? "AEGIS-256" : "XChaCha20-Poly1305");
        }

        SodiumAead core = algorithm switch
        {
            KeyRingAlgorithm.XChaCha20Poly1305 => new ChaCha20Poly1305Core(key.Span, extended: true),
            KeyRingAlgorithm.Aegis256 => new AegisCore(key.Span, aegis256: true),
            _ => throw Error.KeyRingAlgorithmUnsupported((byte)algorithm),
        };
        return new KeyRingCipher(version, algorithm, core);
    }

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

    internal void Encrypt(ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> plaintext, Span<byte> ciphertext, Span<byte> tag, ReadOnlySpan<byte> associatedData) =>
        core.EncryptChecked(this, nonce, plaintext, ciphertext, tag, associatedData);

    internal void Decrypt(ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> ciphertext, ReadOnlySpan<byte> tag, Span<byte> plaintext, ReadOnlySpan<byte> associatedData) =>
        core.DecryptChecked(this, nonce, ciphertext, tag, plaintext, associatedData);

    internal SecureBuffer DecryptToSecureBuffer(ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> ciphertext, ReadOnlySpan<byte> tag, ReadOnlySpan<byte> associatedData) =>
        core.DecryptToSecureBufferChecked(this, nonce, ciphertext, tag, associatedData);

    /// <summary>Takes a reference; only the ring's cache calls it, under its lock, while it still holds its own.</summary>
    internal void AddReference() => Interlocked.Increment(ref references);

    /// <summary>Drops a reference; the last one frees the key.</summary>
    internal void Release()
    {
        if (Interlocked.Decrement(ref references) == 0)
        {
            core.Dispose();
        }
    }
}
