using Ama.Cryptography.Interop;

namespace Ama.Cryptography.Primitives;

/// <summary>
/// libsodium's AEGIS-256 (256-bit key and nonce) or AEGIS-128L (128-bit key and nonce), both with a 256-bit tag.
/// AEGIS keeps no key schedule between messages: the key itself is the secret kept in secure memory, and the
/// state derived from it lives only in libsodium's registers and stack during a call, which the scrubbing clears.
/// </summary>
internal sealed unsafe class AegisCore : SodiumAead
{
    /// <summary>The AEGIS-256 key and nonce length: 256 bits.</summary>
    internal const int Aegis256Size = 32;

    /// <summary>The AEGIS-128L key and nonce length: 128 bits.</summary>
    internal const int Aegis128LSize = 16;

    /// <summary>The tag length of both variants with libsodium (crypto_aead_aegis*_ABYTES): 256 bits.</summary>
    internal const int AegisTagSize = 32;

    private const int KeyAlignment = 16;

    private readonly bool aegis256;

    /// <summary>Copies <paramref name="key"/> (32 bytes for AEGIS-256, 16 for AEGIS-128L) into secure memory.</summary>
    internal AegisCore(ReadOnlySpan<byte> key, bool aegis256)
        : base(aegis256 ? Aegis256Size : Aegis128LSize, KeyAlignment)
    {
        this.aegis256 = aegis256;
        SecretCopy.Copy(key, new Span<byte>(Secret, aegis256 ? Aegis256Size : Aegis128LSize));
    }

    /// <summary>Gets whether libsodium loads: its AEGIS uses AES-NI (or the ARMv8 crypto extensions) where the CPU has them and portable code elsewhere.</summary>
    internal static bool IsAvailable => SodiumLibrary.IsInitialized;

    internal override int NonceLength => aegis256 ? Aegis256Size : Aegis128LSize;

    internal override int TagLength => AegisTagSize;

    protected override string Name => aegis256 ? "crypto_aead_aegis256" : "crypto_aead_aegis128l";

    protected override int Seal(byte* c, byte* tag, byte* m, ulong mlen, byte* ad, ulong adlen, byte* nonce) => aegis256
        ? Sodium.crypto_aead_aegis256_encrypt_detached(c, tag, null, m, mlen, ad, adlen, null, nonce, Secret)
        : Sodium.crypto_aead_aegis128l_encrypt_detached(c, tag, null, m, mlen, ad, adlen, null, nonce, Secret);

    protected override int Open(byte* m, byte* c, ulong clen, byte* tag, byte* ad, ulong adlen, byte* nonce) => aegis256
        ? Sodium.crypto_aead_aegis256_decrypt_detached(m, null, c, clen, tag, ad, adlen, nonce, Secret)
        : Sodium.crypto_aead_aegis128l_decrypt_detached(m, null, c, clen, tag, ad, adlen, nonce, Secret);
}
