using Ama.Cryptography.Primitives;

namespace Ama.Cryptography.KeyManagement;

/// <summary>
/// The key store's entry cipher over <see cref="Aes256GcmCore"/>: libsodium's hardware AES-256-GCM with
/// the key schedule and GHASH table computed once and kept in secure memory, zeroed on
/// <see cref="Dispose"/>. Each operation then costs only the cipher itself, and no copy of the key
/// lands in the ordinary heap the way OpenSSL's context does.
/// </summary>
internal sealed class SodiumEntryAead : IEntryAead, IDisposable
{
    private readonly Aes256GcmCore core;

    private SodiumEntryAead(Aes256GcmCore core) => this.core = core;

    /// <summary>Gets whether libsodium loads and has a hardware AES-256-GCM on this CPU.</summary>
    internal static bool IsAvailable => Aes256GcmCore.IsAvailable;

    /// <summary>Expands <paramref name="key"/> into a new state in secure memory; call only when <see cref="IsAvailable"/>.</summary>
    internal static SodiumEntryAead Create(ReadOnlySpan<byte> key)
    {
        if (key.Length != KeyDerivation.KeyLength)
        {
            throw Error.AeadLengths();
        }

        return new SodiumEntryAead(new Aes256GcmCore(key));
    }

    public void Encrypt(ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> plaintext, Span<byte> ciphertext, Span<byte> tag, ReadOnlySpan<byte> associatedData)
    {
        CheckLengths(nonce, plaintext.Length, ciphertext.Length, tag.Length);
        ObjectDisposedException.ThrowIf(core.IsDisposed, this);
        core.Encrypt(nonce, plaintext, ciphertext, tag, associatedData);
    }

    public bool TryDecrypt(ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> ciphertext, ReadOnlySpan<byte> tag, Span<byte> plaintext, ReadOnlySpan<byte> associatedData)
    {
        CheckLengths(nonce, plaintext.Length, ciphertext.Length, tag.Length);
        ObjectDisposedException.ThrowIf(core.IsDisposed, this);
        return core.TryDecrypt(nonce, ciphertext, tag, plaintext, associatedData);
    }

    public void Dispose() => core.Dispose();

    private static void CheckLengths(ReadOnlySpan<byte> nonce, int plaintextLength, int ciphertextLength, int tagLength)
    {
        if (nonce.Length != KeyStoreFormat.NonceLength || tagLength != KeyStoreFormat.TagLength || plaintextLength != ciphertextLength)
        {
            throw Error.AeadLengths();
        }
    }
}
