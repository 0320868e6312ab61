using Ama.Cryptography.Interop;
using Ama.Cryptography.Memory;

namespace Ama.Cryptography.Primitives;

/// <summary>
/// The process's one XChaCha20-Poly1305 key for <see cref="SecureEnclave"/>, kept in secure memory as two
/// random-looking halves whose XOR is the key (memguard's "coffer"). The halves are re-randomised every
/// <see cref="OperationsPerRerandomisation"/> operations and every <see cref="RerandomisationPeriod"/>, so a
/// scan of memory never sees the same bytes twice; the key itself exists only for the length of one libsodium
/// call, in a 32-byte secure scratch area of the calling thread that is zeroed straight after.
/// </summary>
#pragma warning disable CA1001 // The key and its timer live as long as the process; nothing disposes them.
internal sealed unsafe class EnclaveKey
#pragma warning restore CA1001
{
    /// <summary>The number of seals and opens between two re-randomisations of the halves.</summary>
    internal const int OperationsPerRerandomisation = 1024;

    /// <summary>The timer's period: idle processes re-randomise too.</summary>
    internal static readonly TimeSpan RerandomisationPeriod = TimeSpan.FromMilliseconds(500);

    private const int KeySize = SodiumAead.KeySize;

    private static readonly Lazy<EnclaveKey> Process = new(() => new EnclaveKey());

    // Each thread derives the key into its own secure scratch, so seals and opens of different threads run in
    // parallel and hold the lock only for the XOR. A dead thread's scratch is zero; its finalizer frees it.
    [ThreadStatic]
    private static SecureMemoryHandle? scratch;

    // left (32) | right (32) | mask (32): key = left ^ right; mask is the random step of a re-randomisation.
    private readonly SecureMemoryHandle halves;
    private readonly Lock gate = new();
    private readonly Timer timer;
    private long operations;
    private long rerandomisations;

    private EnclaveKey()
    {
        halves = SecureAllocator.Allocate(3 * KeySize, SecureBufferOptions.Default);
        Sodium.randombytes_buf(Left, 2 * KeySize);
        timer = new Timer(static state => ((EnclaveKey)state!).Rerandomise(), this, RerandomisationPeriod, RerandomisationPeriod);
    }

    /// <summary>Gets the process's key, creating it on first use.</summary>
    internal static EnclaveKey Instance => Process.Value;

    /// <summary>Gets how many times the halves have been re-randomised (tests).</summary>
    internal long Rerandomisations => Interlocked.Read(ref rerandomisations);

    private byte* Left => (byte*)halves.Address;

    private byte* Right => Left + KeySize;

    private byte* Mask => Left + (2 * KeySize);

    /// <summary>Encrypts <paramref name="plaintext"/> into <paramref name="ciphertext"/> and <paramref name="tag"/>; lengths must be valid.</summary>
    internal void Seal(ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> plaintext, Span<byte> ciphertext, Span<byte> tag, ReadOnlySpan<byte> associatedData)
    {
        byte* key = DeriveIntoScratch();
        try
        {
            fixed (byte* n = nonce, m = plaintext, c = ciphertext, t = tag, ad = associatedData)
            {
                if (Sodium.crypto_aead_xchacha20poly1305_ietf_encrypt_detached(c, t, null, m, (ulong)plaintext.Length, ad, (ulong)associatedData.Length, null, n, key) != 0)
                {
                    throw Error.SodiumCallFailed("crypto_aead_xchacha20poly1305_ietf");
                }
            }
        }
        finally
        {
            Zeroing.Zero(new Span<byte>(key, KeySize));
        }
    }

    /// <summary>Verifies and decrypts; on a bad tag zeroes <paramref name="plaintext"/> and returns false.</summary>
    internal bool TryOpen(ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> ciphertext, ReadOnlySpan<byte> tag, Span<byte> plaintext, ReadOnlySpan<byte> associatedData)
    {
        int result;
        byte* key = DeriveIntoScratch();
        try
        {
            fixed (byte* n = nonce, c = ciphertext, t = tag, m = plaintext, ad = associatedData)
            {
                result = Sodium.crypto_aead_xchacha20poly1305_ietf_decrypt_detached(m, null, c, (ulong)ciphertext.Length, t, ad, (ulong)associatedData.Length, n, key);
            }
        }
        finally
        {
            Zeroing.Zero(new Span<byte>(key, KeySize));
        }

        if (result != 0)
        {
            // libsodium may leave unverified plaintext behind; the contract is zeroes.
            Zeroing.Zero(plaintext);
            return false;
        }

        return true;
    }

    /// <summary>
    /// Replaces left and right by left ^ r and right ^ r for a fresh random r: the key they stand for is
    /// unchanged, and both halves are new random bytes.
    /// </summary>
    internal void Rerandomise()
    {
        lock (gate)
        {
            RerandomiseLocked();
        }
    }

    /// <summary>Copies the current representation (left and right) out, for tests that check it changes.</summary>
    internal byte[] CopyRepresentation()
    {
        lock (gate)
        {
            return new ReadOnlySpan<byte>(Left, 2 * KeySize).ToArray();
        }
    }

    private void RerandomiseLocked()
    {
        Sodium.randombytes_buf(Mask, KeySize);
        Xor(Left, Mask);
        Xor(Right, Mask);
        Zeroing.Zero(new Span<byte>(Mask, KeySize));
        rerandomisations++;
    }

    private byte* DeriveIntoScratch()
    {
        SecureMemoryHandle area = scratch ??= SecureAllocator.Allocate(KeySize, SecureBufferOptions.Default);
        byte* key = (byte*)area.Address;
        lock (gate)
        {
            new ReadOnlySpan<byte>(Left, KeySize).CopyTo(new Span<byte>(key, KeySize));
            Xor(key, Right);
            if (++operations % OperationsPerRerandomisation == 0)
            {
                RerandomiseLocked();
            }
        }

        return key;
    }

    private static void Xor(byte* target, byte* source)
    {
        for (int i = 0; i < KeySize; i += sizeof(ulong))
        {
            *(ulong*)(target + i) ^= *(ulong*)(source + i);
        }
    }
}
