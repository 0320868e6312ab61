using System.Buffers.Binary;
using System.Numerics;
using Ama.Cryptography.Interop;
using Ama.Cryptography.Memory;

namespace Ama.Cryptography.Primitives;

/// <summary>
/// The process's one XChaCha20-Poly1305 key for <see cref="SecureEnclave"/>, kept in secure memory as two
/// random-looking halves whose XOR is the key (memguard's "coffer"). The halves are re-randomised every
/// <see cref="OperationsPerRerandomisation"/> operations and every <see cref="RerandomisationPeriod"/>, so a
/// scan of memory never sees the same bytes twice. The key itself exists only for the length of one libsodium
/// call, in a 32-byte scratch slot that is zeroed straight after. Halves and slots share one guarded page, so
/// the enclaves of a process lock one page of memory however many there are. The page also holds the nonce
/// counter: each seal takes the next value, so no nonce repeats under the key, and a forked child, whose copy of
/// the page is absent (memfd_secret) or zeroed (MADV_WIPEONFORK), has neither the key nor the counter.
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

    // XChaCha20-Poly1305's nonce: the counter, little-endian, then zeroes.
    private const int NonceSize = ChaCha20Poly1305Core.ExtendedNonceSize;

    // The page: left (32) | right (32) | mask (32) | counter (8, padded to 32) | scratch slots of 32 bytes to the
    // end of the page, at most 64. key = left ^ right; mask is the random step of a re-randomisation. The counter
    // starts at 1, so a page that reads 0 there was wiped: the process is a forked child.
    private const int HeaderSize = 4 * KeySize;
    private const int MaxSlots = 64;

    private static readonly Lock CurrentGate = new();
    private static EnclaveKey? current;

    // The first counter value of the next key: a purge carries its key's counter over, so the nonce of an enclave
    // sealed before a purge is below every nonce of the keys after it, and Open can tell "key purged" from "tampered".
    private static ulong nextFirstCounter = 1;

    private readonly SecureMemoryHandle page;
    private readonly int slotCount;
    private readonly Lock gate = new();
    private readonly Timer timer;
    private long freeSlots;
    private long operations;
    private long rerandomisations;
    private bool purged;

    private EnclaveKey()
    {
        int size = Math.Max(Environment.SystemPageSize, HeaderSize + (MaxSlots * KeySize));
        page = SecureAllocator.Allocate(size, new SecureBufferOptions { Guarded = true });
        slotCount = Math.Min(MaxSlots, (size - HeaderSize) / KeySize);
        freeSlots = slotCount == 64 ? -1L : (1L << slotCount) - 1;
        Sodium.randombytes_buf(Left, 2 * KeySize);
        FirstCounter = nextFirstCounter;
        *Counter = FirstCounter;
        timer = new Timer(static state => ((EnclaveKey)state!).Rerandomise(), this, RerandomisationPeriod, RerandomisationPeriod);
    }

    /// <summary>Gets the process's key, creating it on first use and again after a purge.</summary>
    internal static EnclaveKey Instance
    {
        get
        {
            EnclaveKey? key = Volatile.Read(ref current);
            if (key is not null && !key.IsPurged)
            {
                return key;
            }

            lock (CurrentGate)
            {
                if (current is null || current.IsPurged)
                {
                    current = new EnclaveKey();
                }

                return current;
            }
        }
    }

    /// <summary>Gets the counter value of this key's first seal: 1, or above every nonce of the keys purged before it.</summary>
    internal ulong FirstCounter { get; }

    /// <summary>Gets whether <see cref="Purge"/> has destroyed this key: enclaves sealed under it can no longer be opened.</summary>
    internal bool IsPurged
    {
        get
        {
            lock (gate)
            {
                return purged;
            }
        }
    }

    /// <summary>
    /// Destroys the current key, for <see cref="SecureMemory.PurgeAll"/>: its halves are zeroed, its timer stopped, and
    /// every later seal or open with it throws. The next <see cref="Instance"/> is a fresh key whose counter goes on
    /// from this one's.
    /// </summary>
    internal static void Purge()
    {
        lock (CurrentGate)
        {
            EnclaveKey? key = current;
            current = null;
            if (key is null)
            {
                return;
            }

            lock (key.gate)
            {
                key.purged = true;
                key.timer.Dispose();
                nextFirstCounter = Math.Max(nextFirstCounter, *key.Counter);

                // The halves, mask and counter; a call inside libsodium keeps its scratch slot until the page purge zeroes it.
                Zeroing.Overwrite(new Span<byte>(key.Left, HeaderSize));
            }

            key.page.Purge();
        }
    }

    /// <summary>Gets how many times the halves have been re-randomised (tests).</summary>
    internal long Rerandomisations => Interlocked.Read(ref rerandomisations);

    private byte* Left => (byte*)page.Address;

    private byte* Right => Left + KeySize;

    private byte* Mask => Left + (2 * KeySize);

    private ulong* Counter => (ulong*)(Left + (3 * KeySize));

    /// <summary>
    /// Takes the next nonce from the counter and encrypts <paramref name="plaintext"/> into
    /// <paramref name="ciphertext"/> and <paramref name="tag"/> through the scrubbing stub; lengths must be valid.
    /// </summary>
    /// <returns>The nonce's counter value, which <see cref="TryOpen"/> needs.</returns>
    internal ulong Seal(ReadOnlySpan<byte> plaintext, Span<byte> ciphertext, Span<byte> tag, ReadOnlySpan<byte> associatedData)
    {
        int slot = TakeSlot(out SecureMemoryHandle? spare);
        byte* key = SlotAddress(slot, spare);
        try
        {
            ulong counter = Derive(key, seal: true);
            Span<byte> nonce = stackalloc byte[NonceSize];
            WriteNonce(nonce, counter);
            fixed (byte* n = nonce, m = plaintext, c = ciphertext, t = tag, ad = associatedData)
            {
                NativeCall* call = stackalloc NativeCall[1];
                call[0] = new NativeCall(SodiumExports.XChaCha20Poly1305Encrypt, (nint)c, (nint)t, 0, (nint)m, plaintext.Length, (nint)ad, associatedData.Length, 0, (nint)n, (nint)key);
                ScrubbedCall.Run(call, 1, ScrubDepth.For(ScrubDepth.ChaCha20Poly1305, (ulong)(plaintext.Length + associatedData.Length)));
                if (call[0].IntResult != 0)
                {
                    throw Error.SodiumCallFailed("crypto_aead_xchacha20poly1305_ietf");
                }
            }

            // A purge during the call may have zeroed the key under libsodium: the output cannot be trusted.
            ThrowIfPurged();

            return counter;
        }
        finally
        {
            Zeroing.Zero(new Span<byte>(key, KeySize));
            ReturnSlot(slot, spare);
        }
    }

    /// <summary>Verifies and decrypts what <see cref="Seal"/> gave <paramref name="counter"/> for; on a bad tag zeroes <paramref name="plaintext"/> and returns false.</summary>
    internal bool TryOpen(ulong counter, ReadOnlySpan<byte> ciphertext, ReadOnlySpan<byte> tag, Span<byte> plaintext, ReadOnlySpan<byte> associatedData)
    {
        int result;
        Span<byte> nonce = stackalloc byte[NonceSize];
        WriteNonce(nonce, counter);
        int slot = TakeSlot(out SecureMemoryHandle? spare);
        byte* key = SlotAddress(slot, spare);
        try
        {
            _ = Derive(key, seal: false);
            fixed (byte* n = nonce, c = ciphertext, t = tag, m = plaintext, ad = associatedData)
            {
                result = Sodium.crypto_aead_xchacha20poly1305_ietf_decrypt_detached(m, null, c, (ulong)ciphertext.Length, t, ad, (ulong)associatedData.Length, n, key);
            }

            if (IsPurged)
            {
                Zeroing.Zero(plaintext);
                throw Error.EnclaveKeyPurged();
            }
        }
        finally
        {
            Zeroing.Zero(new Span<byte>(key, KeySize));
            ReturnSlot(slot, spare);
        }

        if (result != 0)
        {
            // libsodium may leave unverified plaintext behind; the contract is zeroes.
            Zeroing.Zero(plaintext);
            return false;
        }

        return true;
    }

    /// <summary>Zeroes the key's page as MADV_WIPEONFORK does in a forked child (tests only: the key is lost for good).</summary>
    internal void WipeAsInForkedChild()
    {
        lock (gate)
        {
            Zeroing.Zero(new Span<byte>(Left, HeaderSize));
        }
    }

    /// <summary>
    /// Replaces left and right by left ^ r and right ^ r for a fresh random r: the key they stand for is
    /// unchanged, and both halves are new random bytes.
    /// </summary>
    internal void Rerandomise()
    {
        lock (gate)
        {
            if (!purged)
            {
                RerandomiseLocked();
            }
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

    private void ThrowIfPurged()
    {
        if (IsPurged)
        {
            throw Error.EnclaveKeyPurged();
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

    // A free scratch slot of the page; when more threads than slots are inside a call, a spare 32 bytes of
    // secure memory of their own (slot -1).
    private int TakeSlot(out SecureMemoryHandle? spare)
    {
        spare = null;
        long free;
        while ((free = Interlocked.Read(ref freeSlots)) != 0)
        {
            int slot = BitOperations.TrailingZeroCount(free);
            if (Interlocked.CompareExchange(ref freeSlots, free & ~(1L << slot), free) == free)
            {
                return slot;
            }
        }

        spare = SecureAllocator.Allocate(KeySize, SecureBufferOptions.Default);
        return -1;
    }

    private void ReturnSlot(int slot, SecureMemoryHandle? spare)
    {
        if (spare is not null)
        {
            spare.Dispose();
            return;
        }

        Interlocked.Or(ref freeSlots, 1L << slot);
    }

    private byte* SlotAddress(int slot, SecureMemoryHandle? spare) =>
        spare is null ? Left + HeaderSize + (slot * KeySize) : (byte*)spare.Address;

    // Puts the key together in KEY; for a seal, also takes the next counter value.
    private ulong Derive(byte* key, bool seal)
    {
        lock (gate)
        {
            if (purged)
            {
                throw Error.EnclaveKeyPurged();
            }

            ulong counter = *Counter;
            if (counter == 0)
            {
                throw Error.EnclaveKeyWiped();
            }

            if (seal)
            {
                *Counter = counter + 1;
            }

            new ReadOnlySpan<byte>(Left, KeySize).CopyTo(new Span<byte>(key, KeySize));
            Xor(key, Right);
            if (++operations % OperationsPerRerandomisation == 0)
            {
                RerandomiseLocked();
            }

            return counter;
        }
    }

    private static void WriteNonce(Span<byte> nonce, ulong counter)
    {
        nonce.Clear();
        BinaryPrimitives.WriteUInt64LittleEndian(nonce, counter);
    }

    private static void Xor(byte* target, byte* source)
    {
        for (int i = 0; i < KeySize; i += sizeof(ulong))
        {
            *(ulong*)(target + i) ^= *(ulong*)(source + i);
        }
    }
}
