using System.Security.Cryptography;
using Ama.Cryptography.Interop;

namespace Ama.Cryptography.KeyManagement;

/// <summary>
/// The data key and the keys derived from it, in one secure buffer:
/// [0, 32) the data key, [32, 64) the entry key (AES-256-GCM), [64, 96) the whole-file MAC key of
/// format version 1, [96, 128) the MAC key of format version 2, bound to the store's place
/// (<see cref="KeyStoreBinding"/>). Version 1 images are still read, so the ring keeps both.
/// Where libsodium has a hardware AES-256-GCM, the ring also owns the entry key's expanded state
/// (in secure memory), built once here and freed with the ring.
/// </summary>
internal sealed class KeyRing : IDisposable
{
    private const int Length = 4 * KeyDerivation.KeyLength;
    private readonly SecureBuffer keys;
    private readonly KeyStoreBinding binding;
    private SodiumEntryAead? entrySchedule;

    private KeyRing(SecureBuffer keys, KeyStoreBinding binding)
    {
        this.keys = keys;
        this.binding = binding;
    }

    internal ReadOnlySpan<byte> DataKey => keys.Span[..32];

    internal ReadOnlySpan<byte> EntryKey => keys.Span[32..64];

    /// <summary>Gets the whole-image MAC key of <paramref name="formatVersion"/>: version 1's is not bound to a place, version 2's is.</summary>
    internal ReadOnlySpan<byte> MacKey(ushort formatVersion) => formatVersion == KeyStoreFormat.UnboundFormatVersion ? keys.Span[64..96] : keys.Span[96..128];

    /// <summary>Gets the precomputed AES-256-GCM state of the entry key, or null on hosts without hardware AES-GCM in libsodium.</summary>
    internal IEntryAead? EntrySchedule => entrySchedule;

    /// <summary>A ring around a new random data key, for a store bound to <paramref name="binding"/>.</summary>
    internal static KeyRing CreateRandom(KeyStoreBinding binding)
    {
        var ring = new KeyRing(new SecureBuffer(Length), binding);
        RandomNumberGenerator.Fill(ring.keys.Span[..32]);
        return ring.DeriveSubkeysOrDispose();
    }

    /// <summary>A ring around a new random data key, for an in-memory storage (and tests of the entry cipher).</summary>
    internal static KeyRing CreateRandom() => CreateRandom(KeyStoreBinding.InMemory);

    internal static KeyRing FromDataKey(ReadOnlySpan<byte> dataKey)
    {
        var ring = new KeyRing(new SecureBuffer(Length), KeyStoreBinding.InMemory);
        dataKey.CopyTo(ring.keys.Span);
        return ring.DeriveSubkeysOrDispose();
    }

    /// <summary>Unwraps a data key sealed by <see cref="Wrap"/>; null when the tag does not match.</summary>
    internal static KeyRing? Unwrap(ReadOnlySpan<byte> masterKey, KeyStoreState state, KeyStoreBinding binding)
    {
        var ring = new KeyRing(new SecureBuffer(Length), binding);
        Span<byte> wrapKey = stackalloc byte[KeyDerivation.KeyLength];
        try
        {
            KeyDerivation.Expand(masterKey, KeyDerivation.WrapLabel, state.StoreId, wrapKey);
            using var aes = new AesGcm(wrapKey, KeyStoreFormat.TagLength);
            ReadOnlySpan<byte> wrapped = state.WrappedDataKey;
            aes.Decrypt(
                wrapped[..KeyStoreFormat.NonceLength],
                wrapped.Slice(KeyStoreFormat.NonceLength, KeyDerivation.KeyLength),
                wrapped[^KeyStoreFormat.TagLength..],
                ring.keys.Span[..32],
                KeyStoreFormat.WrapAssociatedData(state));
            ring.DeriveSubkeys();
            return ring;
        }
        catch (CryptographicException e) when (e is not KeyStoreException)
        {
            // The tag did not match; the key store's own exceptions are CryptographicExceptions too, and they are not this.
            ring.Dispose();
            return null;
        }
        catch
        {
            ring.Dispose();
            throw;
        }
        finally
        {
            SecureMemory.Zero(wrapKey);
            ScrubbedCall.AfterForeignCall();
        }
    }

    /// <summary>The key-commitment value: binds the header to exactly one master key, which AES-GCM alone does not.</summary>
    internal static byte[] Commitment(ReadOnlySpan<byte> masterKey, KeyStoreState state) =>
        ComputeCommitment(masterKey, state.StoreId, state.Salt);

    internal static byte[] ComputeCommitment(ReadOnlySpan<byte> masterKey, ReadOnlySpan<byte> storeId, ReadOnlySpan<byte> salt)
    {
        var commitment = new byte[32];
        KeyDerivation.Expand(masterKey, KeyDerivation.CommitLabel, [.. storeId, .. salt], commitment);
        return commitment;
    }

    /// <summary>Seals the data key under a key derived from <paramref name="masterKey"/> into <see cref="KeyStoreState.WrappedDataKey"/>.</summary>
    internal void Wrap(ReadOnlySpan<byte> masterKey, KeyStoreState state)
    {
        Span<byte> wrapKey = stackalloc byte[KeyDerivation.KeyLength];
        try
        {
            KeyDerivation.Expand(masterKey, KeyDerivation.WrapLabel, state.StoreId, wrapKey);
            using var aes = new AesGcm(wrapKey, KeyStoreFormat.TagLength);
            var wrapped = new byte[KeyStoreFormat.WrappedKeyLength];
            RandomNumberGenerator.Fill(wrapped.AsSpan(0, KeyStoreFormat.NonceLength));
            aes.Encrypt(
                wrapped.AsSpan(0, KeyStoreFormat.NonceLength),
                DataKey,
                wrapped.AsSpan(KeyStoreFormat.NonceLength, KeyDerivation.KeyLength),
                wrapped.AsSpan(KeyStoreFormat.NonceLength + KeyDerivation.KeyLength),
                KeyStoreFormat.WrapAssociatedData(state));
            state.WrappedDataKey = wrapped;
        }
        finally
        {
            SecureMemory.Zero(wrapKey);
            ScrubbedCall.AfterForeignCall();
        }
    }

    public void Dispose()
    {
        entrySchedule?.Dispose();
        keys.Dispose();
    }

    private KeyRing DeriveSubkeysOrDispose()
    {
        try
        {
            DeriveSubkeys();
            return this;
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    private void DeriveSubkeys()
    {
        var span = keys.Span;
        KeyDerivation.Expand(span[..32], KeyDerivation.EntryLabel, default, span[32..64]);
        KeyDerivation.Expand(span[..32], KeyDerivation.MacLabel, default, span[64..96]);
        KeyDerivation.Expand(span[..32], KeyDerivation.BoundMacLabel, binding.Bytes, span[96..128]);
        if (SodiumEntryAead.IsAvailable)
        {
            entrySchedule = SodiumEntryAead.Create(EntryKey);
        }
    }
}
