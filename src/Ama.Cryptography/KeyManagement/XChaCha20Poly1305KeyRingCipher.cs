using System.Diagnostics.CodeAnalysis;

namespace Ama.Cryptography.KeyManagement;

/// <summary>The XChaCha20-Poly1305 path of <see cref="KeyRingAead"/>.</summary>
[SuppressMessage("Design", "CA1001:Types that own disposable fields should be disposable", Justification = "The key is freed by the last Release (reference-counted), not by Dispose.")]
internal sealed class XChaCha20Poly1305KeyRingCipher(int version, SecureBuffer key) : KeyRingCipher(version)
{
    private readonly SecureXChaCha20Poly1305 aead = new(key);

    internal override KeyRingAlgorithm Algorithm => KeyRingAlgorithm.XChaCha20Poly1305;

    internal override int NonceSize => SecureXChaCha20Poly1305.NonceSizeInBytes;

    internal override int TagSize => SecureXChaCha20Poly1305.TagSizeInBytes;

    internal override void Encrypt(ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> plaintext, Span<byte> ciphertext, Span<byte> tag, ReadOnlySpan<byte> associatedData) =>
        aead.Encrypt(nonce, plaintext, ciphertext, tag, associatedData);

    internal override void Decrypt(ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> ciphertext, ReadOnlySpan<byte> tag, Span<byte> plaintext, ReadOnlySpan<byte> associatedData) =>
        aead.Decrypt(nonce, ciphertext, tag, plaintext, associatedData);

    internal override SecureBuffer DecryptToSecureBuffer(ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> ciphertext, ReadOnlySpan<byte> tag, ReadOnlySpan<byte> associatedData) =>
        aead.DecryptToSecureBuffer(nonce, ciphertext, tag, associatedData);

    protected override void DisposeKey() => aead.Dispose();
}
