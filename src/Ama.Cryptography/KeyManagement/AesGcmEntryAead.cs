using System.Security.Cryptography;

namespace Ama.Cryptography.KeyManagement;

/// <summary>
/// The fallback for hosts where libsodium has no AES-256-GCM (no AES-NI and PCLMUL, or no ARM crypto
/// extensions): .NET's <see cref="AesGcm"/>, made for one operation so that the key schedule OpenSSL keeps
/// in ordinary heap memory is freed (and cleansed) soon.
/// </summary>
internal sealed class AesGcmEntryAead(ReadOnlySpan<byte> key) : IEntryAead, IDisposable
{
    private readonly AesGcm aes = new(key, KeyStoreFormat.TagLength);

    public void Encrypt(ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> plaintext, Span<byte> ciphertext, Span<byte> tag, ReadOnlySpan<byte> associatedData) =>
        aes.Encrypt(nonce, plaintext, ciphertext, tag, associatedData);

    public bool TryDecrypt(ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> ciphertext, ReadOnlySpan<byte> tag, Span<byte> plaintext, ReadOnlySpan<byte> associatedData)
    {
        try
        {
            aes.Decrypt(nonce, ciphertext, tag, plaintext, associatedData);
            return true;
        }
        catch (AuthenticationTagMismatchException)
        {
            SecureMemory.Zero(plaintext);
            return false;
        }
    }

    public void Dispose() => aes.Dispose();
}
