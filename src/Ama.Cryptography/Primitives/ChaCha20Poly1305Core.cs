using Ama.Cryptography.Interop;

namespace Ama.Cryptography.Primitives;

/// <summary>
/// libsodium's ChaCha20-Poly1305: the IETF variant (RFC 8439, 96-bit nonce) or XChaCha20-Poly1305
/// (192-bit nonce). ChaCha20 has no key schedule, so the 32-byte key itself is the secret kept in
/// secure memory.
/// </summary>
internal sealed unsafe class ChaCha20Poly1305Core : SodiumAead
{
    /// <summary>The IETF nonce length: 96 bits.</summary>
    internal const int IetfNonceSize = 12;

    /// <summary>The XChaCha20 nonce length: 192 bits.</summary>
    internal const int ExtendedNonceSize = 24;

    private const int KeyAlignment = 8;

    private readonly bool extended;

    /// <summary>Copies <paramref name="key"/> (32 bytes) into secure memory; <paramref name="extended"/> picks XChaCha20.</summary>
    internal ChaCha20Poly1305Core(ReadOnlySpan<byte> key, bool extended)
        : base(KeySize, KeyAlignment)
    {
        this.extended = extended;
        SecretCopy.Copy(key, new Span<byte>(Secret, KeySize));
    }

    /// <summary>Gets whether libsodium loads; ChaCha20-Poly1305 is portable code that runs on every CPU.</summary>
    internal static bool IsAvailable => SodiumLibrary.IsInitialized;

    internal override int NonceLength => extended ? ExtendedNonceSize : IetfNonceSize;

    protected override string Name => extended ? "crypto_aead_xchacha20poly1305_ietf" : "crypto_aead_chacha20poly1305_ietf";

    protected override int Seal(byte* c, byte* tag, byte* m, ulong mlen, byte* ad, ulong adlen, byte* nonce) => extended
        ? Sodium.crypto_aead_xchacha20poly1305_ietf_encrypt_detached(c, tag, null, m, mlen, ad, adlen, null, nonce, Secret)
        : Sodium.crypto_aead_chacha20poly1305_ietf_encrypt_detached(c, tag, null, m, mlen, ad, adlen, null, nonce, Secret);

    protected override int Open(byte* m, byte* c, ulong clen, byte* tag, byte* ad, ulong adlen, byte* nonce) => extended
        ? Sodium.crypto_aead_xchacha20poly1305_ietf_decrypt_detached(m, null, c, clen, tag, ad, adlen, nonce, Secret)
        : Sodium.crypto_aead_chacha20poly1305_ietf_decrypt_detached(m, null, c, clen, tag, ad, adlen, nonce, Secret);
}
