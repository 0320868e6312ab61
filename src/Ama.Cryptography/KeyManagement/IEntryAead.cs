namespace Ama.Cryptography.KeyManagement;

/// <summary>
/// Raw AES-256-GCM under the entry key (12-byte nonce, 16-byte tag). <see cref="EntryCipher"/> does the
/// sealing (nonces, associated data, the nonce budget) once, over whichever implementation the host supports.
/// </summary>
internal interface IEntryAead
{
    void Encrypt(ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> plaintext, Span<byte> ciphertext, Span<byte> tag, ReadOnlySpan<byte> associatedData);

    /// <summary>Decrypts into <paramref name="plaintext"/>; false, with <paramref name="plaintext"/> zeroed, when the tag does not match.</summary>
    bool TryDecrypt(ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> ciphertext, ReadOnlySpan<byte> tag, Span<byte> plaintext, ReadOnlySpan<byte> associatedData);
}
