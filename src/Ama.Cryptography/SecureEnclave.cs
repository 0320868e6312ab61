using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using Ama.Cryptography.Primitives;

namespace Ama.Cryptography;

/// <summary>
/// A secret kept encrypted in ordinary memory, so that a process can hold a great many of them at the cost of
/// one key in secure memory: 1,000,000 enclaves of 32 bytes need no more locked memory than one.
/// </summary>
/// <remarks>
/// Each enclave is sealed with XChaCha20-Poly1305 under the process's one enclave key, with a nonce from the
/// key's 64-bit counter and its length as associated data. The key lives in secure memory as two halves that are
/// re-randomised in representation every 1,024 operations and every half second (as memguard's coffer is),
/// and it is put together only for the length of one libsodium call. <see cref="Open"/> decrypts into a new
/// <see cref="SecureBuffer"/>; the plaintext never passes through managed memory. Seal and open may run on
/// many threads at once; an <see cref="Open"/> that races a <see cref="Dispose"/> gives the secret or
/// <see cref="ObjectDisposedException"/>.
/// </remarks>
public sealed class SecureEnclave : IDisposable
{
    // Secrets of up to this many bytes are sealed into the enclave object itself, with no array of their own.
    private const int InlineCapacity = 32;
    private const int TagSize = SodiumAead.TagSize;
    private const int Disposed = -1;

    // The secret's length; Disposed once disposed.
    private int length;

    // The counter value of the nonce (EnclaveKey); not secret.
    private ulong nonce;

    // ciphertext (length) | tag (16): in inlineBytes when length <= InlineCapacity, else in outOfLine.
    private byte[]? outOfLine;
    private InlineBytes inlineBytes;

    private SecureEnclave(int length)
    {
        this.length = length;
        outOfLine = length > InlineCapacity ? new byte[length + TagSize] : null;
    }

    /// <summary>Gets the length of the secret in bytes.</summary>
    /// <exception cref="ObjectDisposedException">The enclave has been disposed.</exception>
    public int Length => LiveLength();

    /// <summary>Gets the nonce's counter value, for tests that tamper with it.</summary>
    internal ref ulong Nonce => ref nonce;

    /// <summary>Gets the ciphertext and tag, for tests that tamper with or inspect them.</summary>
    internal Span<byte> SealedBytes => Sealed(LiveLength());

    /// <summary>Encrypts a copy of <paramref name="secret"/> into a new enclave; the caller may then clear its own copy.</summary>
    /// <param name="secret">The secret, up to <see cref="SecureBuffer.MaxLength"/> bytes.</param>
    /// <returns>The enclave; the caller disposes it.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="secret"/> is longer than <see cref="SecureBuffer.MaxLength"/>.</exception>
    /// <exception cref="PlatformNotSupportedException">libsodium did not load.</exception>
    /// <exception cref="SecureMemoryException">The secure memory for the enclave key could not be allocated.</exception>
    /// <exception cref="InvalidOperationException">The process is a forked child of the one that made the enclave key.</exception>
    public static SecureEnclave Seal(ReadOnlySpan<byte> secret)
    {
        if (secret.Length > SecureBuffer.MaxLength)
        {
            throw Error.SizeTooLarge(nameof(secret), secret.Length, SecureBuffer.MaxLength);
        }

        if (!ChaCha20Poly1305Core.IsAvailable)
        {
            throw Error.AeadNotSupported("XChaCha20-Poly1305");
        }

        var enclave = new SecureEnclave(secret.Length);
        Span<byte> sealedBytes = enclave.Sealed(secret.Length);
        Span<byte> associatedData = stackalloc byte[sizeof(int)];
        BinaryPrimitives.WriteInt32LittleEndian(associatedData, secret.Length);
        enclave.nonce = EnclaveKey.Instance.Seal(secret, sealedBytes[..secret.Length], sealedBytes[secret.Length..], associatedData);
        return enclave;
    }

    /// <summary>Encrypts a copy of the bytes of <paramref name="secret"/> into a new enclave; the caller still owns and disposes <paramref name="secret"/>.</summary>
    /// <param name="secret">The secret.</param>
    /// <returns>The enclave; the caller disposes it.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="secret"/> is null.</exception>
    /// <exception cref="ObjectDisposedException"><paramref name="secret"/> has been disposed.</exception>
    /// <exception cref="InvalidOperationException"><paramref name="secret"/> is set to no-access; seal inside its <see cref="SecureBuffer.Access"/> scope.</exception>
    /// <exception cref="PlatformNotSupportedException">libsodium did not load.</exception>
    /// <exception cref="SecureMemoryException">The secure memory for the enclave key could not be allocated.</exception>
    public static SecureEnclave Seal(SecureBuffer secret)
    {
        ArgumentNullException.ThrowIfNull(secret);
        return Seal(secret.Span);
    }

    /// <summary>Verifies the enclave and decrypts the secret into a new <see cref="SecureBuffer"/>; the enclave stays sealed and usable.</summary>
    /// <returns>The secret in secure memory; the caller disposes it.</returns>
    /// <exception cref="ObjectDisposedException">The enclave has been disposed, or <see cref="SecureMemory.PurgeAll"/> destroyed the key it was sealed under.</exception>
    /// <exception cref="CryptographicException">The enclave's bytes were changed: it does not verify, and nothing is returned.</exception>
    /// <exception cref="SecureMemoryException">The secure memory could not be allocated.</exception>
    /// <exception cref="InvalidOperationException">The process is a forked child of the one that made the enclave key.</exception>
    public SecureBuffer Open()
    {
        int secretLength = LiveLength();
        byte[]? rented = null;
        Span<byte> sealedCopy = secretLength <= InlineCapacity
            ? stackalloc byte[InlineCapacity + TagSize]
            : (rented = ArrayPool<byte>.Shared.Rent(secretLength + TagSize));
        try
        {
            sealedCopy = sealedCopy[..(secretLength + TagSize)];
            ulong sealedNonce = CopySealedWhileLive(secretLength, sealedCopy);
            return Decrypt(sealedNonce, secretLength, sealedCopy);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    // Verifying and decrypting read the bytes twice; a Dispose between the two reads would turn a verified
    // enclave into a wrong secret. So Open works on a copy, taken before Dispose began (it marks first, then zeroes).
    private ulong CopySealedWhileLive(int secretLength, Span<byte> destination)
    {
        Sealed(secretLength).CopyTo(destination);
        ulong sealedNonce = nonce;
        Interlocked.MemoryBarrier();
        _ = LiveLength();
        return sealedNonce;
    }

    private static SecureBuffer Decrypt(ulong sealedNonce, int secretLength, ReadOnlySpan<byte> sealedBytes)
    {
        Span<byte> associatedData = stackalloc byte[sizeof(int)];
        BinaryPrimitives.WriteInt32LittleEndian(associatedData, secretLength);
        EnclaveKey key = EnclaveKey.Instance;
        if (key.FirstCounter > 1 && sealedNonce < key.FirstCounter)
        {
            // Sealed under a key that SecureMemory.PurgeAll destroyed (a tampered nonce can land here too; either way nothing opens).
            throw Error.EnclaveKeyPurged();
        }

        var plaintext = new SecureBuffer(secretLength);
        try
        {
            if (!key.TryOpen(sealedNonce, sealedBytes[..secretLength], sealedBytes[secretLength..], plaintext.Span, associatedData))
            {
                throw Error.EnclaveTampered();
            }

            return plaintext;
        }
        catch
        {
            plaintext.Dispose();
            throw;
        }
    }

    /// <summary>Zeroes the ciphertext and releases it. Calling it again does nothing.</summary>
    public void Dispose()
    {
        int secretLength = Interlocked.Exchange(ref length, Disposed);
        if (secretLength != Disposed)
        {
            CryptographicOperations.ZeroMemory(Sealed(secretLength));
            outOfLine = null;
            nonce = 0;
        }
    }

    /// <summary>Describes the enclave without its contents, e.g. <c>SecureEnclave(32 bytes)</c>.</summary>
    /// <returns>The description.</returns>
    public override string ToString() =>
        Volatile.Read(ref length) is var secretLength and not Disposed ? $"SecureEnclave({secretLength} bytes)" : "SecureEnclave(disposed)";

    private int LiveLength()
    {
        int secretLength = Volatile.Read(ref length);
        return secretLength == Disposed ? throw Error.Disposed(nameof(SecureEnclave)) : secretLength;
    }

    // Chosen by length, never by whether outOfLine is null: a concurrent Dispose clears it, and the inline
    // bytes are too short for a longer secret.
    private Span<byte> Sealed(int secretLength) => secretLength > InlineCapacity
        ? Volatile.Read(ref outOfLine) ?? throw Error.Disposed(nameof(SecureEnclave))
        : MemoryMarshal.CreateSpan(ref inlineBytes[0], secretLength + TagSize);

    [InlineArray(InlineCapacity + TagSize)]
    private struct InlineBytes
    {
        private byte first;
    }
}
