using Ama.Cryptography.Memory;

namespace Ama.Cryptography.Primitives;

/// <summary>
/// A libsodium AEAD bound to one secret (a key, or a key schedule derived from it) that lives in the
/// library's secure memory. Callers validate lengths first; this class only pins, guards against a
/// concurrent <see cref="Dispose"/> and turns libsodium's return codes into the library's contract.
/// </summary>
internal abstract unsafe class SodiumAead : IDisposable
{
    /// <summary>The key length of every AEAD here but AEGIS-128L: 256 bits.</summary>
    internal const int KeySize = 32;

    /// <summary>The tag length of the AES-GCM and ChaCha20-Poly1305 AEADs here: 128 bits.</summary>
    internal const int TagSize = 16;

    private readonly SecureMemoryHandle memory;

    /// <summary>Allocates <paramref name="secretSize"/> bytes of secure memory, aligned to <paramref name="alignment"/>.</summary>
    protected SodiumAead(int secretSize, int alignment)
    {
        memory = SecureAllocator.Allocate(secretSize + alignment - 1, SecureBufferOptions.Default);
        nuint mask = (nuint)alignment - 1;
        Secret = (byte*)(((nuint)memory.Address + mask) & ~mask);
    }

    /// <summary>Gets whether <see cref="Dispose"/> has zeroed and freed the secret.</summary>
    internal bool IsDisposed => memory.IsClosed;

    /// <summary>Gets the nonce length of the algorithm, which the public types check callers' nonces against.</summary>
    internal abstract int NonceLength { get; }

    /// <summary>Gets the tag length of the algorithm, which the public types check callers' tags against.</summary>
    internal virtual int TagLength => TagSize;

    /// <summary>Gets the secret's address in secure memory.</summary>
    protected byte* Secret { get; }

    /// <summary>Encrypts; lengths must already be valid.</summary>
    internal void Encrypt(ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> plaintext, Span<byte> ciphertext, Span<byte> tag, ReadOnlySpan<byte> associatedData)
    {
        bool added = false;
        try
        {
            memory.DangerousAddRef(ref added);
            fixed (byte* n = nonce, m = plaintext, c = ciphertext, t = tag, ad = associatedData)
            {
                int result = Seal(c, t, m, (ulong)plaintext.Length, ad, (ulong)associatedData.Length, n);
                if (result != 0)
                {
                    throw Error.SodiumCallFailed(Name);
                }
            }

            ThrowIfPurgedDuringCall(ciphertext, tag);
        }
        finally
        {
            if (added)
            {
                memory.DangerousRelease();
            }
        }
    }

    /// <summary>Decrypts and verifies; on a bad tag zeroes <paramref name="plaintext"/> and returns false.</summary>
    internal bool TryDecrypt(ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> ciphertext, ReadOnlySpan<byte> tag, Span<byte> plaintext, ReadOnlySpan<byte> associatedData)
    {
        int result;
        bool added = false;
        try
        {
            memory.DangerousAddRef(ref added);
            fixed (byte* n = nonce, c = ciphertext, t = tag, m = plaintext, ad = associatedData)
            {
                result = Open(m, c, (ulong)ciphertext.Length, t, ad, (ulong)associatedData.Length, n);
            }

            ThrowIfPurgedDuringCall(plaintext, default);
        }
        finally
        {
            if (added)
            {
                memory.DangerousRelease();
            }
        }

        if (result != 0)
        {
            // libsodium may leave unverified plaintext or a 0xd0 fill behind; the contract is zeroes.
            SecureMemory.Zero(plaintext);
            return false;
        }

        return true;
    }

    /// <summary>
    /// A reference held across the call keeps the memory mapped, but <see cref="SecureMemory.PurgeAll"/> zeroes it and
    /// closes the handle regardless: whatever libsodium computed may have used a zeroed key, so it is wiped, not returned.
    /// </summary>
    private void ThrowIfPurgedDuringCall(Span<byte> output, Span<byte> tag)
    {
        if (memory.IsClosed)
        {
            Zeroing.Overwrite(output);
            Zeroing.Overwrite(tag);
            throw Error.Disposed(GetType().Name);
        }
    }

    /// <summary>Decrypts into a new secure buffer; throws <see cref="System.Security.Cryptography.AuthenticationTagMismatchException"/> on a bad tag.</summary>
    internal SecureBuffer DecryptToSecureBuffer(ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> ciphertext, ReadOnlySpan<byte> tag, ReadOnlySpan<byte> associatedData)
    {
        var plaintext = new SecureBuffer(ciphertext.Length);
        try
        {
            if (!TryDecrypt(nonce, ciphertext, tag, plaintext.Span, associatedData))
            {
                throw Error.AeadTagMismatch();
            }

            return plaintext;
        }
        catch
        {
            plaintext.Dispose();
            throw;
        }
    }

    /// <summary>The public types' Encrypt: the BCL's argument checks (naming <paramref name="owner"/> when disposed), then <see cref="Encrypt"/>.</summary>
    internal void EncryptChecked(object owner, ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> plaintext, Span<byte> ciphertext, Span<byte> tag, ReadOnlySpan<byte> associatedData)
    {
        AeadArguments.CheckEncrypt(NonceLength, TagLength, nonce, plaintext, ciphertext, tag);
        ObjectDisposedException.ThrowIf(IsDisposed, owner);
        Encrypt(nonce, plaintext, ciphertext, tag, associatedData);
    }

    /// <summary>The public types' Decrypt: argument checks, then <see cref="TryDecrypt"/>; a bad tag throws (the plaintext is zeroed).</summary>
    internal void DecryptChecked(object owner, ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> ciphertext, ReadOnlySpan<byte> tag, Span<byte> plaintext, ReadOnlySpan<byte> associatedData)
    {
        AeadArguments.CheckDecrypt(NonceLength, TagLength, nonce, ciphertext, tag, plaintext);
        ObjectDisposedException.ThrowIf(IsDisposed, owner);
        if (!TryDecrypt(nonce, ciphertext, tag, plaintext, associatedData))
        {
            throw Error.AeadTagMismatch();
        }
    }

    /// <summary>The public types' DecryptToSecureBuffer: argument checks, then <see cref="DecryptToSecureBuffer"/>.</summary>
    internal SecureBuffer DecryptToSecureBufferChecked(object owner, ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> ciphertext, ReadOnlySpan<byte> tag, ReadOnlySpan<byte> associatedData)
    {
        AeadArguments.CheckNonceAndTag(NonceLength, TagLength, nonce.Length, tag.Length);
        ObjectDisposedException.ThrowIf(IsDisposed, owner);
        return DecryptToSecureBuffer(nonce, ciphertext, tag, associatedData);
    }

    /// <summary>Zeroes and frees the secret. Calling it again does nothing.</summary>
    public void Dispose() => memory.Dispose();

    /// <summary>The libsodium function family, for error messages.</summary>
    protected abstract string Name { get; }

    /// <summary>Calls the detached encrypt; returns libsodium's result code.</summary>
    protected abstract int Seal(byte* c, byte* tag, byte* m, ulong mlen, byte* ad, ulong adlen, byte* nonce);

    /// <summary>Calls the detached decrypt; returns libsodium's result code (-1 for a bad tag).</summary>
    protected abstract int Open(byte* m, byte* c, ulong clen, byte* tag, byte* ad, ulong adlen, byte* nonce);

    /// <summary>Frees the memory when a derived constructor fails after the allocation.</summary>
    protected void ReleaseOnFailure() => memory.Dispose();

}
