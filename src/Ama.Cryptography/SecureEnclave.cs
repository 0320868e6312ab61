using System.Buffers.Binary;
using System.Security.Cryptography;
using Ama.Cryptography.Primitives;

namespace Ama.Cryptography;

/// <summary>
/// A secret kept encrypted in ordinary memory, so that a process can hold a great many of them at the cost of
/// one key in secure memory: 1,000,000 enclaves of 32 bytes need no more locked memory than one.
/// </summary>
/// <remarks>
/// Each enclave is sealed with XChaCha20-Poly1305 under the process's one enclave key, with a random 24-byte
/// nonce and its length as associated data. The key lives in secure memory as two halves that are
/// re-randomised in representation every 1,024 operations and every half second (as memguard's coffer is),
/// and it is put together only for the length of one libsodium call. <see cref="Open"/> decrypts into a new
/// <see cref="SecureBuffer"/>; the plaintext never passes through managed memory. Seal and open may run on
/// many threads at once; an enclave must not be disposed while another thread opens it.
/// </remarks>
public sealed class SecureEnclave : IDisposable
{
    private const int NonceSize = ChaCha20Poly1305Core.ExtendedNonceSize;
    private const int TagSize = SodiumAead.TagSize;
    private const int Overhead = NonceSize + TagSize;

    // The key this enclave was sealed under: after SecureMemory.PurgeAll it is gone, and so is the secret.
    private readonly EnclaveKey key;

    // nonce (24) | ciphertext (Length) | tag (16); null once disposed.
    private byte[]? sealedBytes;

    private SecureEnclave(EnclaveKey key, byte[] sealedBytes)
    {
        this.key = key;
        this.sealedBytes = sealedBytes;
    }

    /// <summary>Gets the length of the secret in bytes.</summary>
    /// <exception cref="ObjectDisposedException">The enclave has been disposed.</exception>
    public int Length => SealedBytes.Length - Overhead;

    /// <summary>The nonce, ciphertext and tag, for tests that tamper with or inspect them.</summary>
    internal byte[] SealedBytes => sealedBytes ?? throw Error.Disposed(nameof(SecureEnclave));

    /// <summary>Encrypts a copy of <paramref name="secret"/> into a new enclave; the caller may then clear its own copy.</summary>
    /// <param name="secret">The secret, up to <see cref="SecureBuffer.MaxLength"/> bytes.</param>
    /// <returns>The enclave; the caller disposes it.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="secret"/> is longer than <see cref="SecureBuffer.MaxLength"/>.</exception>
    /// <exception cref="PlatformNotSupportedException">libsodium did not load.</exception>
    /// <exception cref="SecureMemoryException">The secure memory for the enclave key could not be allocated.</exception>
    public static SecureEnclave Seal(ReadOnlySpan<byte> secret)
    {
        if (secret.Length > SecureBuffer.MaxLength)
        {
            throw Error.SizeTooLarge(nameof(secret), secret.Length, SecureBuffer.MaxLength);
        }

        if (!ChaCha20Poly1305Core.IsAvailable)
        {
            throw Error.AeadNotSupported("XChaCha20-Poly1305");
        }

        byte[] bytes = new byte[secret.Length + Overhead];
        Span<byte> nonce = bytes.AsSpan(0, NonceSize);
        Span<byte> associatedData = stackalloc byte[sizeof(int)];
        BinaryPrimitives.WriteInt32LittleEndian(associatedData, secret.Length);
        EnclaveKey key = EnclaveKey.Instance;
        key.Seal(nonce, secret, bytes.AsSpan(NonceSize, secret.Length), bytes.AsSpan(NonceSize + secret.Length), associatedData);
        return new SecureEnclave(key, bytes);
    }

    /// <summary>Encrypts a copy of the bytes of <paramref name="secret"/> into a new enclave; the caller still owns and disposes <paramref name="secret"/>.</summary>
    /// <param name="secret">The secret.</param>
    /// <returns>The enclave; the caller disposes it.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="secret"/> is null.</exception>
    /// <exception cref="ObjectDisposedException"><paramref name="secret"/> has been disposed.</exception>
    /// <exception cref="InvalidOperationException"><paramref name="secret"/> is set to no-access; seal inside its <see cref="SecureBuffer.Access"/> scope.</exception>
    /// <exception cref="PlatformNotSupportedException">libsodium did not load.</exception>
    /// <exception cref="SecureMemoryException">The secure memory for the enclave key could not be allocated.</exception>
    public static SecureEnclave Seal(SecureBuffer secret)
    {
        ArgumentNullException.ThrowIfNull(secret);
        return Seal(secret.Span);
    }

    /// <summary>Verifies the enclave and decrypts the secret into a new <see cref="SecureBuffer"/>; the enclave stays sealed and usable.</summary>
    /// <returns>The secret in secure memory; the caller disposes it.</returns>
    /// <exception cref="ObjectDisposedException">The enclave has been disposed, or <see cref="SecureMemory.PurgeAll"/> destroyed the key it was sealed under.</exception>
    /// <exception cref="CryptographicException">The enclave's bytes were changed: it does not verify, and nothing is returned.</exception>
    /// <exception cref="SecureMemoryException">The secure memory could not be allocated.</exception>
    public SecureBuffer Open()
    {
        byte[] bytes = SealedBytes;
        if (key.IsPurged)
        {
            throw Error.EnclaveKeyPurged();
        }

        int length = bytes.Length - Overhead;
        Span<byte> associatedData = stackalloc byte[sizeof(int)];
        BinaryPrimitives.WriteInt32LittleEndian(associatedData, length);
        var plaintext = new SecureBuffer(length);
        try
        {
            if (!key.TryOpen(bytes.AsSpan(0, NonceSize), bytes.AsSpan(NonceSize, length), bytes.AsSpan(NonceSize + length), plaintext.Span, associatedData))
            {
                throw Error.EnclaveTampered();
            }

            return plaintext;
        }
        catch
        {
            plaintext.Dispose();
            throw;
        }
    }

    /// <summary>Zeroes the ciphertext and releases it. Calling it again does nothing.</summary>
    public void Dispose()
    {
        byte[]? bytes = Interlocked.Exchange(ref sealedBytes, null);
        if (bytes is not null)
        {
            CryptographicOperations.ZeroMemory(bytes);
        }
    }

    /// <summary>Describes the enclave without its contents, e.g. <c>SecureEnclave(32 bytes)</c>.</summary>
    /// <returns>The description.</returns>
    public override string ToString() => sealedBytes is { } bytes ? $"SecureEnclave({bytes.Length - Overhead} bytes)" : "SecureEnclave(disposed)";
}
