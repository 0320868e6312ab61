using System.Security.Cryptography;
using Ama.Cryptography.Interop;
using Ama.Cryptography.Memory;
using Ama.Cryptography.Primitives;

namespace Ama.Cryptography;

/// <summary>
/// HMAC-SHA-256, HMAC-SHA-384 or HMAC-SHA-512 whose key and key schedule (the inner and outer midstates, the
/// hash states after key XOR ipad and key XOR opad) live only in secure memory.
/// </summary>
/// <remarks>
/// <para>
/// The hashing is done by the system's OpenSSL libcrypto (SHA-NI where the CPU has it) on contexts
/// that this object allocates in secure memory, so no copy of the key reaches OpenSSL's heap the way
/// it does with <see cref="HMACSHA256"/> or <see cref="IncrementalHash.CreateHMAC(HashAlgorithmName, byte[])"/>.
/// </para>
/// <para>
/// Not thread-safe, like <see cref="IncrementalHash"/>: a call made while another thread is inside one on the same
/// instance throws <see cref="CryptographicException"/> and changes nothing. <see cref="ComputeHash"/> and <see cref="Verify"/>
/// do not disturb data added with <see cref="AppendData"/>.
/// </para>
/// </remarks>
/// <example>
/// <code>
/// using var hmac = new SecureHmac(HashAlgorithmName.SHA256, key);
/// Span&lt;byte&gt; tag = stackalloc byte[hmac.HashSizeInBytes];
/// hmac.ComputeHash(message, tag);
/// </code>
/// </example>
public sealed unsafe class SecureHmac : IDisposable
{
    /// <summary>The number of native calls <see cref="FinishOuter"/> writes.</summary>
    private const int FinishCalls = 6;

    private readonly ShaFunction sha;
    private readonly SecureMemoryHandle state;
    private int busy;

    /// <summary>Keys an HMAC with a copy of <paramref name="key"/> in this object's secure memory.</summary>
    /// <param name="hashAlgorithm"><see cref="HashAlgorithmName.SHA256"/>, <see cref="HashAlgorithmName.SHA384"/> or <see cref="HashAlgorithmName.SHA512"/>.</param>
    /// <param name="key">The key, of any length; keys longer than the hash's block are hashed first, as HMAC specifies.</param>
    /// <exception cref="ArgumentException"><paramref name="hashAlgorithm"/> has a null or empty name.</exception>
    /// <exception cref="CryptographicException"><paramref name="hashAlgorithm"/> is not SHA256, SHA384 or SHA512.</exception>
    /// <exception cref="PlatformNotSupportedException"><see cref="IsSupported"/> is false.</exception>
    public SecureHmac(HashAlgorithmName hashAlgorithm, ReadOnlySpan<byte> key)
    {
        sha = ShaFunction.For(hashAlgorithm, nameof(hashAlgorithm), nameof(SecureHmac));
        state = SecureAllocator.Allocate(StateSize(sha), SecureBufferOptions.Default);
        try
        {
            Layout layout = new(sha, (byte*)state.Address);
            HmacKeySchedule.Compute(sha, key, layout.Inner, layout.Outer, layout.Stream);
        }
        catch
        {
            state.Dispose();
            throw;
        }
    }

    /// <summary>Keys an HMAC with a copy of the bytes of <paramref name="key"/>; the caller may dispose it afterwards.</summary>
    /// <param name="hashAlgorithm"><see cref="HashAlgorithmName.SHA256"/>, <see cref="HashAlgorithmName.SHA384"/> or <see cref="HashAlgorithmName.SHA512"/>.</param>
    /// <param name="key">The key, of any length.</param>
    /// <exception cref="ArgumentNullException"><paramref name="key"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="hashAlgorithm"/> has a null or empty name.</exception>
    /// <exception cref="CryptographicException"><paramref name="hashAlgorithm"/> is not SHA256, SHA384 or SHA512.</exception>
    /// <exception cref="ObjectDisposedException"><paramref name="key"/> has been disposed.</exception>
    /// <exception cref="PlatformNotSupportedException"><see cref="IsSupported"/> is false.</exception>
    public SecureHmac(HashAlgorithmName hashAlgorithm, SecureBuffer key)
        : this(hashAlgorithm, KeySpan(key))
    {
    }

    /// <summary>
    /// Gets whether the system's libcrypto could be loaded and passed its known-answer tests. On Linux
    /// it is the OpenSSL that .NET itself uses; Windows and macOS are not supported (they would need CNG
    /// hash objects or CommonCrypto contexts placed in secure memory).
    /// </summary>
    public static bool IsSupported => ShaFunction.IsAvailable;

    /// <summary>Gets the size of the hash in bytes: 32 for SHA-256, 48 for SHA-384, 64 for SHA-512.</summary>
    public int HashSizeInBytes => sha.HashSize;

    /// <summary>Computes the HMAC of <paramref name="data"/> into <paramref name="destination"/>.</summary>
    /// <param name="data">The data to authenticate.</param>
    /// <param name="destination">Receives the hash; at least <see cref="HashSizeInBytes"/> bytes.</param>
    /// <returns>The number of bytes written, <see cref="HashSizeInBytes"/>.</returns>
    /// <exception cref="ArgumentException"><paramref name="destination"/> is shorter than <see cref="HashSizeInBytes"/>.</exception>
    /// <exception cref="ObjectDisposedException">This object has been disposed.</exception>
    /// <exception cref="CryptographicException">Another thread is inside a call on this instance.</exception>
    public int ComputeHash(ReadOnlySpan<byte> data, Span<byte> destination)
    {
        CheckDestination(destination, nameof(destination));
        Layout layout = Enter();
        try
        {
            fixed (byte* input = data)
            fixed (byte* output = destination)
            {
                HashOnce(layout, input, data.Length, output);
            }
        }
        finally
        {
            Exit();
        }

        return sha.HashSize;
    }

    /// <summary>
    /// Checks <paramref name="hash"/> against the HMAC of <paramref name="data"/> in constant time. The expected
    /// hash is computed into secure memory and wiped afterwards.
    /// </summary>
    /// <param name="data">The data that was authenticated.</param>
    /// <param name="hash">The hash to check; only a full <see cref="HashSizeInBytes"/>-byte hash can match (truncated tags are rejected).</param>
    /// <returns><see langword="true"/> when the hash matches.</returns>
    /// <exception cref="ObjectDisposedException">This object has been disposed.</exception>
    /// <exception cref="CryptographicException">Another thread is inside a call on this instance.</exception>
    public bool Verify(ReadOnlySpan<byte> data, ReadOnlySpan<byte> hash)
    {
        Layout layout = Enter();
        try
        {
            fixed (byte* input = data)
            {
                HashOnce(layout, input, data.Length, layout.Expected);
            }

            bool equal = ConstantTime.Equals(new ReadOnlySpan<byte>(layout.Expected, sha.HashSize), hash);
            Zeroing.Zero(new Span<byte>(layout.Expected, sha.HashSize));
            return equal;
        }
        finally
        {
            Exit();
        }
    }

    /// <summary>Adds <paramref name="data"/> to the message whose hash <see cref="GetHashAndReset"/> returns.</summary>
    /// <param name="data">The next part of the message.</param>
    /// <exception cref="ObjectDisposedException">This object has been disposed.</exception>
    /// <exception cref="CryptographicException">Another thread is inside a call on this instance.</exception>
    public void AppendData(ReadOnlySpan<byte> data)
    {
        Layout layout = Enter();
        try
        {
            fixed (byte* input = data)
            {
                sha.Run([sha.Update(layout.Stream, input, data.Length)]);
            }
        }
        finally
        {
            Exit();
        }
    }

    /// <summary>Writes the HMAC of the data added since the last reset and starts a new message with the same key.</summary>
    /// <param name="destination">Receives the hash; at least <see cref="HashSizeInBytes"/> bytes.</param>
    /// <returns>The number of bytes written, <see cref="HashSizeInBytes"/>.</returns>
    /// <exception cref="ArgumentException"><paramref name="destination"/> is shorter than <see cref="HashSizeInBytes"/>.</exception>
    /// <exception cref="ObjectDisposedException">This object has been disposed.</exception>
    /// <exception cref="CryptographicException">Another thread is inside a call on this instance.</exception>
    public int GetHashAndReset(Span<byte> destination)
    {
        CheckDestination(destination, nameof(destination));
        Layout layout = Enter();
        try
        {
            fixed (byte* output = destination)
            {
                Span<NativeCall> calls = stackalloc NativeCall[FinishCalls + 1];
                FinishOuter(layout, layout.Stream, output, calls);
                calls[FinishCalls] = sha.CopyContext(layout.Stream, layout.Inner);
                sha.Run(calls);
            }
        }
        finally
        {
            Exit();
        }

        return sha.HashSize;
    }

    /// <summary>Zeroes the key schedule and frees its secure memory. Calling it again does nothing.</summary>
    public void Dispose() => state.Dispose();

    private static ReadOnlySpan<byte> KeySpan(SecureBuffer key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return key.Span;
    }

    private static int StateSize(ShaFunction sha) => (4 * sha.ContextSize) + (2 * sha.HashSize);

    private void CheckDestination(Span<byte> destination, string paramName)
    {
        if (destination.Length < sha.HashSize)
        {
            throw Error.DestinationTooShort(paramName, sha.HashSize, destination.Length);
        }
    }

    /// <summary>
    /// Claims the instance for this call, or throws when another thread is inside one (the working contexts are
    /// shared, and two hashes in one would corrupt each other's lengths), then takes a reference on the state so
    /// a concurrent Dispose cannot free it mid-call. Pair with <see cref="Exit"/> in a finally.
    /// </summary>
    private Layout Enter()
    {
        ObjectDisposedException.ThrowIf(state.IsClosed, this);
        if (Interlocked.Exchange(ref busy, 1) != 0)
        {
            throw Error.ConcurrentUse(nameof(SecureHmac));
        }

        try
        {
            bool added = false;
            state.DangerousAddRef(ref added);
            return new Layout(sha, (byte*)state.Address);
        }
        catch
        {
            Volatile.Write(ref busy, 0);
            throw;
        }
    }

    private void Exit()
    {
        state.DangerousRelease();
        Volatile.Write(ref busy, 0);
    }

    /// <summary>The HMAC of one message, in one scrubbed native call.</summary>
    private void HashOnce(Layout layout, byte* data, int length, byte* output)
    {
        Span<NativeCall> calls = stackalloc NativeCall[FinishCalls + 2];
        calls[0] = sha.CopyContext(layout.Work, layout.Inner);
        calls[1] = sha.Update(layout.Work, data, length);
        FinishOuter(layout, layout.Work, output, calls[2..]);
        sha.Run(calls);
    }

    /// <summary>Writes the calls that finish the inner hash in <paramref name="inner"/>, hash it under the outer midstate, and wipe what they used.</summary>
    private void FinishOuter(Layout layout, byte* inner, byte* output, Span<NativeCall> calls)
    {
        calls[0] = sha.Final(layout.InnerHash, inner);
        calls[1] = sha.CopyContext(layout.Work, layout.Outer);
        calls[2] = sha.Update(layout.Work, layout.InnerHash, sha.HashSize);
        calls[3] = sha.Final(output, layout.Work);
        calls[4] = sha.Cleanse(layout.Work, sha.ContextSize);
        calls[5] = sha.Cleanse(layout.InnerHash, sha.HashSize);
    }

    /// <summary>Where each part of the state lies in the one secure allocation.</summary>
    private readonly struct Layout(ShaFunction sha, byte* start)
    {
        /// <summary>The midstate after key XOR ipad; never changed after construction.</summary>
        internal byte* Inner => start;

        /// <summary>The midstate after key XOR opad; never changed after construction.</summary>
        internal byte* Outer => start + sha.ContextSize;

        /// <summary>The inner hash of the AppendData message.</summary>
        internal byte* Stream => start + (2 * sha.ContextSize);

        /// <summary>The working context of one hash, wiped after each.</summary>
        internal byte* Work => start + (3 * sha.ContextSize);

        internal byte* InnerHash => start + (4 * sha.ContextSize);

        internal byte* Expected => InnerHash + sha.HashSize;
    }
}
