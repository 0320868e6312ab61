using Ama.Cryptography.Interop;

namespace Ama.Cryptography.Primitives;

/// <summary>
/// libsodium's hardware AES-256-GCM over a precomputed crypto_aead_aes256gcm_state (the AES round
/// keys and the GHASH key H) held in secure memory. The raw key is not kept: the state is all the
/// cipher needs, and computing it once makes a short message cost only the cipher itself.
/// </summary>
internal sealed unsafe class Aes256GcmCore : SodiumAead
{
    /// <summary>The nonce length: 96 bits.</summary>
    internal const int NonceSize = 12;

    internal override int NonceLength => NonceSize;

    // libsodium declares the state CRYPTO_ALIGN(16) and loads it with aligned instructions.
    private const int StateAlignment = 16;

    private static readonly Lazy<bool> Availability = new(Probe);

    /// <summary>Expands <paramref name="key"/> (32 bytes) into a new state; call only when <see cref="IsAvailable"/>.</summary>
    internal Aes256GcmCore(ReadOnlySpan<byte> key)
        : base(StateSize, StateAlignment)
    {
        try
        {
            fixed (byte* k = key)
            {
                if (Sodium.crypto_aead_aes256gcm_beforenm(Secret, k) != 0)
                {
                    throw Error.SodiumCallFailed("crypto_aead_aes256gcm_beforenm");
                }
            }
        }
        catch
        {
            ReleaseOnFailure();
            throw;
        }
    }

    /// <summary>Gets whether libsodium loads and has a hardware AES-256-GCM (AES-NI and PCLMUL, or ARM crypto) on this CPU.</summary>
    internal static bool IsAvailable => Availability.Value;

    protected override string Name => "crypto_aead_aes256gcm";

    private static int StateSize => checked((int)Sodium.crypto_aead_aes256gcm_statebytes());

    protected override int Seal(byte* c, byte* tag, byte* m, ulong mlen, byte* ad, ulong adlen, byte* nonce) =>
        Sodium.crypto_aead_aes256gcm_encrypt_detached_afternm(c, tag, null, m, mlen, ad, adlen, null, nonce, Secret);

    protected override int Open(byte* m, byte* c, ulong clen, byte* tag, byte* ad, ulong adlen, byte* nonce) =>
        Sodium.crypto_aead_aes256gcm_decrypt_detached_afternm(m, null, c, clen, tag, ad, adlen, nonce, Secret);

    private static bool Probe()
    {
        try
        {
            return SodiumLibrary.IsInitialized && Sodium.crypto_aead_aes256gcm_is_available() == 1;
        }
        catch (EntryPointNotFoundException)
        {
            return false;
        }
    }
}
