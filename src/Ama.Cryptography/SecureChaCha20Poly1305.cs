using System.Security.Cryptography;
using Ama.Cryptography.Primitives;

namespace Ama.Cryptography;

/// <summary>
/// ChaCha20-Poly1305 as in RFC 8439 (96-bit nonce, 128-bit tag) with its key in secure memory, computed by libsodium.
/// A drop-in for <see cref="ChaCha20Poly1305"/>.
/// </summary>
/// <remarks>
/// The Poly1305 one-time keys and the ChaCha20 block state exist only on libsodium's stack during a call, which libsodium wipes.
/// Plaintext, ciphertext, nonce and associated data stay in the caller's buffers; use
/// <see cref="DecryptToSecureBuffer"/> to decrypt a secret straight into secure memory. An instance
/// may be used by several threads at once, but must not be disposed while one of them is inside a call.
/// </remarks>
public sealed class SecureChaCha20Poly1305 : IDisposable
{
    private readonly SodiumAead core;

    /// <summary>The key length in bytes: 32 (a 256-bit key). The constructors accept no other.</summary>
    public const int KeySizeInBytes = SodiumAead.KeySize;

    /// <summary>The nonce length in bytes that <see cref="Encrypt"/> and <see cref="Decrypt"/> accept; no other is accepted.</summary>
    public const int NonceSizeInBytes = ChaCha20Poly1305Core.IetfNonceSize;

    /// <summary>The authentication tag length in bytes: 16 (128 bits); no other is accepted.</summary>
    public const int TagSizeInBytes = SodiumAead.TagSize;

    /// <summary>Creates the cipher from a 32-byte key, which is copied into secure memory; the caller may then clear its own copy.</summary>
    /// <param name="key">The 256-bit key.</param>
    /// <exception cref="ArgumentException"><paramref name="key"/> is not 32 bytes long.</exception>
    /// <exception cref="PlatformNotSupportedException"><see cref="IsSupported"/> is false.</exception>
    /// <exception cref="SecureMemoryException">The secure memory could not be allocated.</exception>
    public SecureChaCha20Poly1305(ReadOnlySpan<byte> key)
    {
        if (!IsSupported)
        {
            throw Error.AeadNotSupported("ChaCha20-Poly1305");
        }

        AeadArguments.CheckKey(key.Length);
        core = new ChaCha20Poly1305Core(key, extended: false);
    }

    /// <summary>Creates the cipher from a 32-byte key in a <see cref="SecureBuffer"/>, which is copied into secure memory; the caller may then dispose <paramref name="key"/>.</summary>
    /// <param name="key">The 256-bit key.</param>
    /// <exception cref="ArgumentNullException"><paramref name="key"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="key"/> is not 32 bytes long.</exception>
    /// <exception cref="ObjectDisposedException"><paramref name="key"/> has been disposed.</exception>
    /// <exception cref="InvalidOperationException"><paramref name="key"/> is set to no-access; build inside its <see cref="SecureBuffer.Access"/> scope.</exception>
    /// <exception cref="PlatformNotSupportedException"><see cref="IsSupported"/> is false.</exception>
    /// <exception cref="SecureMemoryException">The secure memory could not be allocated.</exception>
    public SecureChaCha20Poly1305(SecureBuffer key)
        : this(AeadArguments.KeyOf(key))
    {
    }

    /// <summary>Gets whether ChaCha20-Poly1305 is available: libsodium loads (it runs on every CPU).</summary>
    public static bool IsSupported => ChaCha20Poly1305Core.IsAvailable;

    /// <summary>Encrypts <paramref name="plaintext"/> into <paramref name="ciphertext"/> and writes the authentication tag.</summary>
    /// <param name="nonce">The 12-byte nonce; never reuse one with the same key.</param>
    /// <param name="plaintext">The data to encrypt.</param>
    /// <param name="ciphertext">Receives the encrypted data; as long as <paramref name="plaintext"/>, either separate from it or the same buffer.</param>
    /// <param name="tag">Receives the 16-byte tag.</param>
    /// <param name="associatedData">Data that is authenticated but not encrypted.</param>
    /// <exception cref="ArgumentException">A length is wrong, or <paramref name="ciphertext"/> partly overlaps <paramref name="plaintext"/>, or <paramref name="tag"/> overlaps <paramref name="ciphertext"/>.</exception>
    /// <exception cref="ObjectDisposedException">The cipher has been disposed.</exception>
    public void Encrypt(ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> plaintext, Span<byte> ciphertext, Span<byte> tag, ReadOnlySpan<byte> associatedData = default) =>
        core.EncryptChecked(this, nonce, plaintext, ciphertext, tag, associatedData);

    /// <summary>Verifies the tag and decrypts <paramref name="ciphertext"/> into <paramref name="plaintext"/>.</summary>
    /// <param name="nonce">The 12-byte nonce used to encrypt.</param>
    /// <param name="ciphertext">The encrypted data.</param>
    /// <param name="tag">The 16-byte tag.</param>
    /// <param name="plaintext">Receives the decrypted data; zeroed when the tag does not match.</param>
    /// <param name="associatedData">The associated data used to encrypt.</param>
    /// <exception cref="ArgumentException">A length is wrong, or <paramref name="plaintext"/> partly overlaps <paramref name="ciphertext"/>, or overlaps <paramref name="tag"/>.</exception>
    /// <exception cref="AuthenticationTagMismatchException">The tag does not match; <paramref name="plaintext"/> has been zeroed.</exception>
    /// <exception cref="ObjectDisposedException">The cipher has been disposed.</exception>
    public void Decrypt(ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> ciphertext, ReadOnlySpan<byte> tag, Span<byte> plaintext, ReadOnlySpan<byte> associatedData = default) =>
        core.DecryptChecked(this, nonce, ciphertext, tag, plaintext, associatedData);

    /// <summary>Verifies the tag and decrypts <paramref name="ciphertext"/> into a new <see cref="SecureBuffer"/>, for plaintext that is itself a secret.</summary>
    /// <param name="nonce">The 12-byte nonce used to encrypt.</param>
    /// <param name="ciphertext">The encrypted data.</param>
    /// <param name="tag">The 16-byte tag.</param>
    /// <param name="associatedData">The associated data used to encrypt.</param>
    /// <returns>The plaintext in secure memory; the caller disposes it.</returns>
    /// <exception cref="ArgumentException">The nonce or tag length is wrong.</exception>
    /// <exception cref="AuthenticationTagMismatchException">The tag does not match; no buffer is returned and the one used has been zeroed.</exception>
    /// <exception cref="ObjectDisposedException">The cipher has been disposed.</exception>
    /// <exception cref="SecureMemoryException">The secure memory could not be allocated.</exception>
    public SecureBuffer DecryptToSecureBuffer(ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> ciphertext, ReadOnlySpan<byte> tag, ReadOnlySpan<byte> associatedData = default) =>
        core.DecryptToSecureBufferChecked(this, nonce, ciphertext, tag, associatedData);

    /// <summary>Zeroes and frees the key. Calling it again does nothing.</summary>
    public void Dispose() => core.Dispose();
}
