using System.Security.Cryptography;

namespace Ama.Cryptography.KeyManagement;

/// <summary>
/// Seals and opens entries: AES-256-GCM with random 96-bit nonces and the entry's associated data.
/// The cipher is the ring's precomputed libsodium state when the host has one (it lives as long as the
/// data key, in secure memory); otherwise a .NET <see cref="AesGcm"/> made for this one operation (a
/// Retrieve, a batch) so that the copy of the key that OpenSSL keeps is freed soon.
/// </summary>
internal sealed class EntryCipher : IDisposable
{
    /// <summary>
    /// 2^32 random nonces under one key keep the chance of any repeat below 2^-32
    /// (NIST SP 800-38D, section 8.3); past it, a Store asks for <see cref="SecureKeyStorage.RotateDataKey"/>.
    /// </summary>
    internal const ulong MaxEncryptionsPerDataKey = 1UL << 32;

    private readonly IEntryAead aead;

    /// <summary>Only the per-operation fallback is owned here; the ring owns the libsodium state.</summary>
    private readonly AesGcmEntryAead? perOperation;

    internal EntryCipher(KeyRing ring)
    {
        if (ring.EntrySchedule is { } schedule)
        {
            aead = schedule;
        }
        else
        {
            perOperation = new AesGcmEntryAead(ring.EntryKey);
            aead = perOperation;
        }
    }

    /// <summary>Seals through a given implementation; the caller keeps ownership of it.</summary>
    internal EntryCipher(IEntryAead aead) => this.aead = aead;

    /// <summary>Seals a version stamped with <paramref name="createdUnixMs"/>, or with the current time when null (a new version; a re-seal keeps its original time).</summary>
    internal SealedVersion Seal(KeyStoreState state, string name, int version, KeyValuePair<string, string>[] metadata, ReadOnlySpan<byte> plaintext, long? createdUnixMs = null)
    {
        if (state.Encryptions >= MaxEncryptionsPerDataKey)
        {
            throw Error.KeyStoreNonceBudgetExhausted();
        }

        state.Encryptions++;
        long created = createdUnixMs ?? DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var sealedBytes = new byte[KeyStoreFormat.NonceLength + plaintext.Length + KeyStoreFormat.TagLength];
        var nonce = sealedBytes.AsSpan(0, KeyStoreFormat.NonceLength);
        RandomNumberGenerator.Fill(nonce);
        aead.Encrypt(
            nonce,
            plaintext,
            sealedBytes.AsSpan(KeyStoreFormat.NonceLength, plaintext.Length),
            sealedBytes.AsSpan(KeyStoreFormat.NonceLength + plaintext.Length),
            KeyStoreFormat.EntryAssociatedData(state.StoreId, name, version, created, metadata, plaintext.Length));
        return new SealedVersion { Version = version, CreatedUnixMs = created, Metadata = metadata, Length = plaintext.Length, Sealed = sealedBytes };
    }

    /// <summary>Decrypts straight into <paramref name="destination"/>; false (and zeroed output) when the tag does not match.</summary>
    internal bool TryOpen(ReadOnlySpan<byte> storeId, string name, SealedVersion version, Span<byte> destination)
    {
        ReadOnlySpan<byte> sealedBytes = version.Sealed.Span;
        return aead.TryDecrypt(
            sealedBytes[..KeyStoreFormat.NonceLength],
            sealedBytes.Slice(KeyStoreFormat.NonceLength, version.Length),
            sealedBytes[^KeyStoreFormat.TagLength..],
            destination,
            KeyStoreFormat.EntryAssociatedData(storeId, name, version.Version, version.CreatedUnixMs, version.Metadata, version.Length));
    }

    public void Dispose() => perOperation?.Dispose();
}
