using System.Security.Cryptography;

namespace Ama.Cryptography.KeyManagement;

/// <summary>
/// AES-256-GCM over entries with random 96-bit nonces. One instance lives for one operation
/// (a Retrieve, a batch) so that the copy of the key that OpenSSL keeps is freed soon.
/// </summary>
internal sealed class EntryCipher : IDisposable
{
    /// <summary>
    /// 2^32 random nonces under one key keep the chance of any repeat below 2^-32
    /// (NIST SP 800-38D, section 8.3); past it, a Store asks for <see cref="SecureKeyStorage.RotateDataKey"/>.
    /// </summary>
    internal const ulong MaxEncryptionsPerDataKey = 1UL << 32;

    private readonly AesGcm aes;

    internal EntryCipher(KeyRing ring) => aes = new AesGcm(ring.EntryKey, KeyStoreFormat.TagLength);

    internal static SealedVersion Seal(AesGcm aes, KeyStoreState state, string name, int version, KeyValuePair<string, string>[] metadata, ReadOnlySpan<byte> plaintext)
    {
        if (state.Encryptions >= MaxEncryptionsPerDataKey)
        {
            throw Error.KeyStoreNonceBudgetExhausted();
        }

        state.Encryptions++;
        long created = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var sealedBytes = new byte[KeyStoreFormat.NonceLength + plaintext.Length + KeyStoreFormat.TagLength];
        var nonce = sealedBytes.AsSpan(0, KeyStoreFormat.NonceLength);
        RandomNumberGenerator.Fill(nonce);
        aes.Encrypt(
            nonce,
            plaintext,
            sealedBytes.AsSpan(KeyStoreFormat.NonceLength, plaintext.Length),
            sealedBytes.AsSpan(KeyStoreFormat.NonceLength + plaintext.Length),
            KeyStoreFormat.EntryAssociatedData(state.StoreId, name, version, created, metadata, plaintext.Length));
        return new SealedVersion { Version = version, CreatedUnixMs = created, Metadata = metadata, Length = plaintext.Length, Sealed = sealedBytes };
    }

    internal SealedVersion Seal(KeyStoreState state, string name, int version, KeyValuePair<string, string>[] metadata, ReadOnlySpan<byte> plaintext) =>
        Seal(aes, state, name, version, metadata, plaintext);

    /// <summary>Decrypts straight into <paramref name="destination"/>; false (and zeroed output) when the tag does not match.</summary>
    internal bool TryOpen(ReadOnlySpan<byte> storeId, string name, SealedVersion version, Span<byte> destination)
    {
        ReadOnlySpan<byte> sealedBytes = version.Sealed;
        try
        {
            aes.Decrypt(
                sealedBytes[..KeyStoreFormat.NonceLength],
                sealedBytes.Slice(KeyStoreFormat.NonceLength, version.Length),
                sealedBytes[^KeyStoreFormat.TagLength..],
                destination,
                KeyStoreFormat.EntryAssociatedData(storeId, name, version.Version, version.CreatedUnixMs, version.Metadata, version.Length));
            return true;
        }
        catch (AuthenticationTagMismatchException)
        {
            SecureMemory.Zero(destination);
            return false;
        }
    }

    public void Dispose() => aes.Dispose();
}
