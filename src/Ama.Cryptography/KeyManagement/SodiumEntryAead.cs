using Ama.Cryptography.Interop;

namespace Ama.Cryptography.KeyManagement;

/// <summary>
/// libsodium's AES-256-GCM (AES-NI and PCLMUL, or ARM crypto extensions) over a key schedule and GHASH
/// table computed once and kept in a <see cref="SecureBuffer"/>: out of dumps, locked, zeroed on
/// <see cref="Dispose"/>. Each operation then costs only the cipher itself, and no copy of the key
/// lands in the ordinary heap the way OpenSSL's context does.
/// </summary>
internal sealed unsafe class SodiumEntryAead : IEntryAead, IDisposable
{
    // libsodium declares crypto_aead_aes256gcm_state CRYPTO_ALIGN(16) and loads it with aligned
    // instructions; slab data is 16-byte aligned but other sources need not be, so align by hand.
    private const int StateAlignment = 16;

    private static readonly Lazy<bool> Availability = new(Probe);

    private readonly SecureBuffer memory;
    private readonly byte* state;

    private SodiumEntryAead(SecureBuffer memory, byte* state)
    {
        this.memory = memory;
        this.state = state;
    }

    /// <summary>Gets whether libsodium loads and has a hardware AES-256-GCM on this CPU.</summary>
    internal static bool IsAvailable => Availability.Value;

    /// <summary>Expands <paramref name="key"/> into a new state in secure memory; call only when <see cref="IsAvailable"/>.</summary>
    internal static SodiumEntryAead Create(ReadOnlySpan<byte> key)
    {
        if (key.Length != KeyDerivation.KeyLength)
        {
            throw Error.AeadLengths();
        }

        int stateBytes = checked((int)Sodium.crypto_aead_aes256gcm_statebytes());
        var memory = new SecureBuffer(stateBytes + StateAlignment - 1);
        try
        {
            byte* state = AlignUp((byte*)memory.UnsafeAddress);
            fixed (byte* k = key)
            {
                if (Sodium.crypto_aead_aes256gcm_beforenm(state, k) != 0)
                {
                    throw Error.SodiumAeadFailed("crypto_aead_aes256gcm_beforenm");
                }
            }

            return new SodiumEntryAead(memory, state);
        }
        catch
        {
            memory.Dispose();
            throw;
        }
    }

    public void Encrypt(ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> plaintext, Span<byte> ciphertext, Span<byte> tag, ReadOnlySpan<byte> associatedData)
    {
        CheckLengths(nonce, plaintext.Length, ciphertext.Length, tag.Length);
        ObjectDisposedException.ThrowIf(memory.IsDisposed, this);
        fixed (byte* n = nonce, m = plaintext, c = ciphertext, t = tag, ad = associatedData)
        {
            int result = Sodium.crypto_aead_aes256gcm_encrypt_detached_afternm(
                c, t, null, m, (ulong)plaintext.Length, ad, (ulong)associatedData.Length, null, n, state);
            if (result != 0)
            {
                throw Error.SodiumAeadFailed("crypto_aead_aes256gcm_encrypt_detached_afternm");
            }
        }
    }

    public bool TryDecrypt(ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> ciphertext, ReadOnlySpan<byte> tag, Span<byte> plaintext, ReadOnlySpan<byte> associatedData)
    {
        CheckLengths(nonce, plaintext.Length, ciphertext.Length, tag.Length);
        ObjectDisposedException.ThrowIf(memory.IsDisposed, this);
        int result;
        fixed (byte* n = nonce, c = ciphertext, t = tag, m = plaintext, ad = associatedData)
        {
            result = Sodium.crypto_aead_aes256gcm_decrypt_detached_afternm(
                m, null, c, (ulong)ciphertext.Length, t, ad, (ulong)associatedData.Length, n, state);
        }

        if (result != 0)
        {
            // libsodium fills the output with 0xd0 on a bad tag; the contract here is zeroes.
            SecureMemory.Zero(plaintext);
            return false;
        }

        return true;
    }

    public void Dispose() => memory.Dispose();

    private static byte* AlignUp(byte* address) =>
        (byte*)(((nuint)address + (StateAlignment - 1)) & ~(nuint)(StateAlignment - 1));

    private static void CheckLengths(ReadOnlySpan<byte> nonce, int plaintextLength, int ciphertextLength, int tagLength)
    {
        if (nonce.Length != KeyStoreFormat.NonceLength || tagLength != KeyStoreFormat.TagLength || plaintextLength != ciphertextLength)
        {
            throw Error.AeadLengths();
        }
    }

    private static bool Probe()
    {
        try
        {
            return Sodium.sodium_init() >= 0 && Sodium.crypto_aead_aes256gcm_is_available() == 1;
        }
        catch (DllNotFoundException)
        {
            return false;
        }
        catch (EntryPointNotFoundException)
        {
            return false;
        }
    }
}
