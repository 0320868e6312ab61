using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;

namespace Ama.Cryptography.KeyManagement;

/// <summary>
/// Authenticated encryption with the versions of one key in a <see cref="SecureKeyStorage"/>: encrypts with the newest
/// version and decrypts with whichever version a ciphertext names, so a key is rotated by storing a new version
/// (<see cref="SecureKeyStorage.Store(string, ReadOnlySpan{byte})"/>) while old ciphertexts stay readable. The byte
/// formats are described in docs/keyring-format.md.
/// </summary>
/// <remarks>
/// <para>
/// The algorithm is AEGIS-256 where <see cref="SecureAegis256.IsSupported"/>, else XChaCha20-Poly1305, with a random
/// nonce per message; it is recorded in every ciphertext, so a ciphertext written on one host decrypts on any other
/// that supports the algorithm it names.
/// Every overload takes plaintext and associated data as spans; pass a destination as a <see cref="Span{T}"/>
/// (<c>array.AsSpan()</c>): a <c>byte[]</c> second argument binds to the associated data of the array-returning overload. The format, algorithm and key version are bound to the ciphertext as associated
/// data, before the caller's associated data.
/// </para>
/// <para>
/// A rotation committed by another instance or process is used for encryption as soon as the storage has seen it
/// (its file watcher, a PostgreSQL notification, or <see cref="SecureKeyStorage.Refresh"/>): every call compares
/// <see cref="SecureKeyStorage.Generation"/> with the one it saw last. A ciphertext naming a version newer than the
/// newest the storage knows makes the ring refresh a file or database storage once and retry, at most once a second
/// (any sender of ciphertexts can name any version, and a refresh reads the whole store); a version older than
/// that is not looked for again, so a destroyed version fails at once. Keys stay in secure memory inside one
/// cipher per version, freed when the version is destroyed in the store (once no call uses it) or when the ring is
/// disposed. An instance may be used by several threads at once, but must not be disposed while one is inside a call.
/// </para>
/// </remarks>
public sealed class KeyRingAead : IDisposable
{
    private readonly SecureKeyStorage storage;
    private readonly string keyName;
    private readonly Lock gate = new();
    private readonly Dictionary<(int Version, KeyRingAlgorithm Algorithm), KeyRingCipher> ciphers = [];
    private readonly HashSet<int> liveVersions = [];
    private long seenGeneration = -1;
    private DateTimeOffset lastMissRefresh = DateTimeOffset.MinValue;
    private int newestVersion;
    private bool disposed;

    /// <summary>Fills a span with nonce bytes.</summary>
    internal delegate void RandomFill(Span<byte> destination);

    private KeyRingAead(SecureKeyStorage storage, string keyName)
    {
        this.storage = storage;
        this.keyName = keyName;
        EncryptionAlgorithm = KeyRingCipher.IsSupported(KeyRingAlgorithm.Aegis256) ? KeyRingAlgorithm.Aegis256 : KeyRingAlgorithm.XChaCha20Poly1305;
    }

    /// <summary>Gets or sets the algorithm new ciphertexts are sealed with; tests force it to write the other host's format.</summary>
    internal KeyRingAlgorithm EncryptionAlgorithm { get; set; }

    /// <summary>Gets or sets the plaintext bytes per stream chunk; tests make it small to get many chunks.</summary>
    internal int StreamChunkSize { get; set; } = KeyRingFormat.DefaultChunkSize;

    /// <summary>Gets or sets the clock that spaces out refreshes for unknown versions; tests step it by hand.</summary>
    internal TimeProvider Clock { get; set; } = TimeProvider.System;

    /// <summary>Gets the least time between two refreshes made for a version newer than the storage knew.</summary>
    internal static TimeSpan MissRefreshInterval { get; } = TimeSpan.FromSeconds(1);

    /// <summary>Gets or sets the source of nonces and stream prefixes; the format's test vectors fix it.</summary>
    internal RandomFill FillRandom { get; set; } = RandomNumberGenerator.Fill;

    /// <summary>Opens a key ring over the versions of <paramref name="keyName"/>; the storage must outlive the ring.</summary>
    /// <param name="storage">The key store holding the key's versions.</param>
    /// <param name="keyName">The key's name; every version must be 32 bytes of key material.</param>
    /// <returns>The ring; the caller disposes it.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException">The name is invalid.</exception>
    /// <exception cref="KeyNotFoundException">The storage has no key named <paramref name="keyName"/>.</exception>
    /// <exception cref="CryptographicException">The newest version is not 32 bytes long.</exception>
    /// <exception cref="ObjectDisposedException">The storage was disposed.</exception>
    public static KeyRingAead Open(SecureKeyStorage storage, string keyName)
    {
        ArgumentNullException.ThrowIfNull(storage);
        ArgumentNullException.ThrowIfNull(keyName);
        var ring = new KeyRingAead(storage, keyName);
        try
        {
            ring.AcquireForEncryption().Release();
            return ring;
        }
        catch
        {
            ring.Dispose();
            throw;
        }
    }

    /// <summary>Gets the length of a ciphertext made by <see cref="Encrypt(ReadOnlySpan{byte}, ReadOnlySpan{byte})"/> from <paramref name="plaintextLength"/> bytes.</summary>
    /// <param name="plaintextLength">The plaintext length in bytes.</param>
    /// <returns>The ciphertext length: the plaintext, a 6-byte header, the nonce and the tag.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="plaintextLength"/> is negative or too large.</exception>
    public int GetCiphertextLength(int plaintextLength)
    {
        int overhead = KeyRingFormat.MessageOverhead(EncryptionAlgorithm);
        ArgumentOutOfRangeException.ThrowIfNegative(plaintextLength);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(plaintextLength, int.MaxValue - overhead);
        return plaintextLength + overhead;
    }

    /// <summary>Encrypts <paramref name="plaintext"/> with the newest key version into a new array.</summary>
    /// <param name="plaintext">The data to encrypt.</param>
    /// <param name="associatedData">Data authenticated with the ciphertext but not stored in it; decryption needs the same.</param>
    /// <returns>The ciphertext, <see cref="GetCiphertextLength"/> bytes long.</returns>
    /// <exception cref="ArgumentException">The plaintext, or the associated data with the header, is longer than one ciphertext can hold (about 2 GiB).</exception>
    /// <exception cref="KeyNotFoundException">The key was deleted from the store.</exception>
    /// <exception cref="CryptographicException">The newest version is not 32 bytes long.</exception>
    /// <exception cref="ObjectDisposedException">The ring or its storage was disposed.</exception>
    [SuppressMessage("ApiDesign", "RS0026:Do not add multiple public overloads with optional parameters", Justification = "The overloads differ in the required destination, so no call is ambiguous; associated data is usually absent.")]
    public byte[] Encrypt(ReadOnlySpan<byte> plaintext, ReadOnlySpan<byte> associatedData = default)
    {
        var cipher = AcquireForEncryption();
        try
        {
            var output = new byte[CiphertextLength(plaintext.Length, cipher.Algorithm)];
            Seal(cipher, plaintext, output, associatedData);
            return output;
        }
        finally
        {
            cipher.Release();
        }
    }

    /// <summary>Encrypts <paramref name="plaintext"/> with the newest key version into <paramref name="destination"/>.</summary>
    /// <param name="plaintext">The data to encrypt.</param>
    /// <param name="destination">Receives the ciphertext; at least <see cref="GetCiphertextLength"/> bytes, not overlapping <paramref name="plaintext"/>.</param>
    /// <param name="associatedData">Data authenticated with the ciphertext but not stored in it; decryption needs the same.</param>
    /// <returns>The number of bytes written.</returns>
    /// <exception cref="ArgumentException"><paramref name="destination"/> is too small or overlaps <paramref name="plaintext"/>, or the plaintext or associated data is longer than one ciphertext can hold.</exception>
    /// <exception cref="KeyNotFoundException">The key was deleted from the store.</exception>
    /// <exception cref="CryptographicException">The newest version is not 32 bytes long.</exception>
    /// <exception cref="ObjectDisposedException">The ring or its storage was disposed.</exception>
    [SuppressMessage("ApiDesign", "RS0026:Do not add multiple public overloads with optional parameters", Justification = "The overloads differ in the required destination, so no call is ambiguous; associated data is usually absent.")]
    public int Encrypt(ReadOnlySpan<byte> plaintext, Span<byte> destination, ReadOnlySpan<byte> associatedData = default)
    {
        if (plaintext.Overlaps(destination))
        {
            throw Error.KeyRingOverlap(nameof(destination));
        }

        var cipher = AcquireForEncryption();
        try
        {
            int length = CiphertextLength(plaintext.Length, cipher.Algorithm);
            if (destination.Length < length)
            {
                throw Error.KeyRingDestinationTooSmall(nameof(destination), length, destination.Length);
            }

            Seal(cipher, plaintext, destination[..length], associatedData);
            return length;
        }
        finally
        {
            cipher.Release();
        }
    }

    /// <summary>Verifies and decrypts <paramref name="ciphertext"/> with the key version it names into a new array.</summary>
    /// <param name="ciphertext">A ciphertext from <see cref="Encrypt(ReadOnlySpan{byte}, ReadOnlySpan{byte})"/>.</param>
    /// <param name="associatedData">The associated data given to encrypt.</param>
    /// <returns>The plaintext.</returns>
    /// <exception cref="ArgumentException">The associated data is longer than one ciphertext can hold (about 2 GiB).</exception>
    /// <exception cref="CryptographicException">The ciphertext is malformed or was altered (<see cref="AuthenticationTagMismatchException"/>), the associated data differs, or the version it names is not in the store.</exception>
    /// <exception cref="PlatformNotSupportedException">The ciphertext names an algorithm this host cannot run.</exception>
    /// <exception cref="ObjectDisposedException">The ring or its storage was disposed.</exception>
    [SuppressMessage("ApiDesign", "RS0026:Do not add multiple public overloads with optional parameters", Justification = "The overloads differ in the required destination, so no call is ambiguous; associated data is usually absent.")]
    public byte[] Decrypt(ReadOnlySpan<byte> ciphertext, ReadOnlySpan<byte> associatedData = default)
    {
        var cipher = Parse(ciphertext, out var nonce, out var body, out var tag);
        try
        {
            var plaintext = new byte[body.Length];
            Open(cipher, ciphertext, nonce, body, tag, plaintext, associatedData);
            return plaintext;
        }
        finally
        {
            cipher.Release();
        }
    }

    /// <summary>Verifies and decrypts <paramref name="ciphertext"/> with the key version it names into <paramref name="destination"/>.</summary>
    /// <param name="ciphertext">A ciphertext from <see cref="Encrypt(ReadOnlySpan{byte}, ReadOnlySpan{byte})"/>.</param>
    /// <param name="destination">Receives the plaintext; at least the ciphertext length minus the header, nonce and tag. Zeroed when verification fails.</param>
    /// <param name="associatedData">The associated data given to encrypt.</param>
    /// <returns>The number of bytes written.</returns>
    /// <exception cref="ArgumentException"><paramref name="destination"/> is too small, or overlaps the ciphertext anywhere but exactly at its encrypted body (decrypting in place there is allowed), or the associated data is longer than one ciphertext can hold.</exception>
    /// <exception cref="CryptographicException">The ciphertext is malformed or was altered (<see cref="AuthenticationTagMismatchException"/>), the associated data differs, or the version it names is not in the store.</exception>
    /// <exception cref="PlatformNotSupportedException">The ciphertext names an algorithm this host cannot run.</exception>
    /// <exception cref="ObjectDisposedException">The ring or its storage was disposed.</exception>
    [SuppressMessage("ApiDesign", "RS0026:Do not add multiple public overloads with optional parameters", Justification = "The overloads differ in the required destination, so no call is ambiguous; associated data is usually absent.")]
    public int Decrypt(ReadOnlySpan<byte> ciphertext, Span<byte> destination, ReadOnlySpan<byte> associatedData = default)
    {
        var cipher = Parse(ciphertext, out var nonce, out var body, out var tag);
        try
        {
            if (destination.Length < body.Length)
            {
                throw Error.KeyRingDestinationTooSmall(nameof(destination), body.Length, destination.Length);
            }

            // In place at the body is safe; over the tag, AEGIS would compare against plaintext it has just written.
            var written = destination[..body.Length];
            if (ciphertext.Overlaps(written, out int offset) && offset != ciphertext.Length - body.Length - tag.Length)
            {
                throw Error.KeyRingDecryptOverlap(nameof(destination));
            }

            Open(cipher, ciphertext, nonce, body, tag, written, associatedData);
            return body.Length;
        }
        finally
        {
            cipher.Release();
        }
    }

    /// <summary>Verifies and decrypts <paramref name="ciphertext"/> into a new <see cref="SecureBuffer"/>, for plaintext that is itself a secret.</summary>
    /// <param name="ciphertext">A ciphertext from <see cref="Encrypt(ReadOnlySpan{byte}, ReadOnlySpan{byte})"/>.</param>
    /// <param name="associatedData">The associated data given to encrypt.</param>
    /// <returns>The plaintext in secure memory; the caller disposes it.</returns>
    /// <exception cref="ArgumentException">The associated data is longer than one ciphertext can hold (about 2 GiB).</exception>
    /// <exception cref="CryptographicException">The ciphertext is malformed or was altered (<see cref="AuthenticationTagMismatchException"/>), the associated data differs, or the version it names is not in the store.</exception>
    /// <exception cref="PlatformNotSupportedException">The ciphertext names an algorithm this host cannot run.</exception>
    /// <exception cref="ObjectDisposedException">The ring or its storage was disposed.</exception>
    /// <exception cref="SecureMemoryException">The secure memory could not be allocated.</exception>
    public SecureBuffer DecryptToSecureBuffer(ReadOnlySpan<byte> ciphertext, ReadOnlySpan<byte> associatedData = default)
    {
        var cipher = Parse(ciphertext, out var nonce, out var body, out var tag);
        try
        {
            int adLength = JoinedLength(KeyRingFormat.MessageHeaderSize, associatedData.Length);
            var ad = adLength <= 256 ? stackalloc byte[adLength] : new byte[adLength];
            JoinAssociatedData(ciphertext[..KeyRingFormat.MessageHeaderSize], associatedData, ad);
            return cipher.DecryptToSecureBuffer(nonce, body, tag, ad);
        }
        finally
        {
            cipher.Release();
        }
    }

    /// <summary>
    /// Encrypts <paramref name="plaintext"/> to its end into <paramref name="ciphertext"/> in chunks of 64 KiB, each sealed
    /// on its own (the STREAM construction), with the newest key version. Memory use does not grow with the stream.
    /// </summary>
    /// <remarks>
    /// The streams move in batches of about 256 KiB: while one is sealed, the next is read from <paramref name="plaintext"/>
    /// and the previous one written to <paramref name="ciphertext"/>, so a read and a write may be in flight at the same
    /// time (never two on one stream). Give two different streams. Both operations have finished when the task completes.
    /// </remarks>
    /// <param name="plaintext">Read to its end; not disposed.</param>
    /// <param name="ciphertext">Receives the stream header and the sealed chunks; not disposed or flushed beyond its own writes.</param>
    /// <param name="associatedData">Data authenticated with every chunk but not stored; decryption needs the same.</param>
    /// <param name="cancellationToken">Cancels the reads and writes; the output is then incomplete and will not decrypt.</param>
    /// <returns>A task that completes when the last chunk has been written.</returns>
    /// <exception cref="ArgumentNullException">A stream is null.</exception>
    /// <exception cref="ArgumentException">A stream to read cannot be read, or a stream to write cannot be written.</exception>
    /// <exception cref="KeyNotFoundException">The key was deleted from the store.</exception>
    /// <exception cref="ObjectDisposedException">The ring or its storage was disposed.</exception>
    public async Task EncryptStreamAsync(Stream plaintext, Stream ciphertext, ReadOnlyMemory<byte> associatedData = default, CancellationToken cancellationToken = default)
    {
        ThrowIfNotReadable(plaintext);
        ThrowIfNotWritable(ciphertext);
        int chunkSize = StreamChunkSize;
        var cipher = AcquireForEncryption();
        try
        {
            var header = StreamHeader(cipher, chunkSize);
            var ad = JoinAssociatedData(header, associatedData.Span);
            await ciphertext.WriteAsync(header, cancellationToken).ConfigureAwait(false);
            int Seal(uint counter, bool last, ReadOnlySpan<byte> chunk, Span<byte> output) => SealChunk(cipher, header, counter, last, chunk, output, ad);
            await ChunkPipeline.RunAsync(plaintext, ciphertext, chunkSize, chunkSize + cipher.TagSize, Seal, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            cipher.Release();
        }
    }

    /// <summary>
    /// Verifies and decrypts a stream written by <see cref="EncryptStreamAsync"/>, chunk by chunk, with the key version
    /// its header names. A chunk is written to <paramref name="plaintext"/> only after it has verified, and reordered,
    /// dropped, repeated or foreign chunks and a missing end are detected. Memory use does not grow with the stream.
    /// </summary>
    /// <remarks>
    /// If this method throws, the chunks written before the failure verified but the stream as a whole did not (it
    /// may have been cut short or altered further on): discard everything written to <paramref name="plaintext"/>.
    /// As in <see cref="EncryptStreamAsync"/>, a read of <paramref name="ciphertext"/> and a write of verified plaintext may
    /// be in flight at the same time; a batch's plaintext is written only after all of its chunks have verified.
    /// </remarks>
    /// <param name="ciphertext">Read to its end; not disposed.</param>
    /// <param name="plaintext">Receives the plaintext; discard it if the method throws.</param>
    /// <param name="associatedData">The associated data given to encrypt.</param>
    /// <param name="cancellationToken">Cancels the reads and writes.</param>
    /// <returns>A task that completes when the last chunk has verified and been written.</returns>
    /// <exception cref="ArgumentNullException">A stream is null.</exception>
    /// <exception cref="ArgumentException">A stream to read cannot be read, or a stream to write cannot be written.</exception>
    /// <exception cref="CryptographicException">The stream is malformed, truncated, extended or altered (a chunk fails with <see cref="AuthenticationTagMismatchException"/>), the associated data differs, or the version it names is not in the store.</exception>
    /// <exception cref="PlatformNotSupportedException">The stream names an algorithm this host cannot run.</exception>
    /// <exception cref="ObjectDisposedException">The ring or its storage was disposed.</exception>
    public async Task DecryptStreamAsync(Stream ciphertext, Stream plaintext, ReadOnlyMemory<byte> associatedData = default, CancellationToken cancellationToken = default)
    {
        ThrowIfNotReadable(ciphertext);
        ThrowIfNotWritable(plaintext);
        var (header, chunkSize) = await ReadStreamHeaderAsync(ciphertext, cancellationToken).ConfigureAwait(false);
        var (algorithm, version) = KeyRingFormat.ReadHeader(header, KeyRingFormat.StreamFormat);
        var cipher = AcquireForDecryption(version, algorithm);
        try
        {
            var ad = JoinAssociatedData(header, associatedData.Span);
            int Open(uint counter, bool last, ReadOnlySpan<byte> chunk, Span<byte> output) => OpenChunk(cipher, header, counter, last, chunk, output, ad);
            await ChunkPipeline.RunAsync(ciphertext, plaintext, chunkSize + cipher.TagSize, chunkSize, Open, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            cipher.Release();
        }
    }

    private static void ThrowIfNotReadable(Stream stream, [CallerArgumentExpression(nameof(stream))] string paramName = "")
    {
        ArgumentNullException.ThrowIfNull(stream, paramName);
        if (!stream.CanRead)
        {
            throw Error.KeyRingStreamNotReadable(paramName);
        }
    }

    private static void ThrowIfNotWritable(Stream stream, [CallerArgumentExpression(nameof(stream))] string paramName = "")
    {
        ArgumentNullException.ThrowIfNull(stream, paramName);
        if (!stream.CanWrite)
        {
            throw Error.KeyRingStreamNotWritable(paramName);
        }
    }

    /// <summary>Frees the keys of every version (calls still inside a cipher finish first). Calling it again does nothing.</summary>
    public void Dispose()
    {
        lock (gate)
        {
            if (disposed)
            {
                return;
            }

            disposed = true;
            foreach (var cipher in ciphers.Values)
            {
                cipher.Release();
            }

            ciphers.Clear();
        }
    }

    private void Seal(KeyRingCipher cipher, ReadOnlySpan<byte> plaintext, Span<byte> output, ReadOnlySpan<byte> associatedData)
    {
        int nonceEnd = KeyRingFormat.MessageHeaderSize + cipher.NonceSize;
        var header = output[..KeyRingFormat.MessageHeaderSize];
        KeyRingFormat.WriteMessageHeader(header, cipher.Algorithm, cipher.Version);
        var nonce = output[KeyRingFormat.MessageHeaderSize..nonceEnd];
        FillRandom(nonce);
        int adLength = JoinedLength(KeyRingFormat.MessageHeaderSize, associatedData.Length);
        var ad = adLength <= 256 ? stackalloc byte[adLength] : new byte[adLength];
        JoinAssociatedData(header, associatedData, ad);
        cipher.Encrypt(nonce, plaintext, output.Slice(nonceEnd, plaintext.Length), output[(nonceEnd + plaintext.Length)..], ad);
    }

    private static void Open(KeyRingCipher cipher, ReadOnlySpan<byte> ciphertext, ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> body, ReadOnlySpan<byte> tag, Span<byte> plaintext, ReadOnlySpan<byte> associatedData)
    {
        int adLength = JoinedLength(KeyRingFormat.MessageHeaderSize, associatedData.Length);
        var ad = adLength <= 256 ? stackalloc byte[adLength] : new byte[adLength];
        JoinAssociatedData(ciphertext[..KeyRingFormat.MessageHeaderSize], associatedData, ad);
        cipher.Decrypt(nonce, body, tag, plaintext, ad);
    }

    private static void JoinAssociatedData(ReadOnlySpan<byte> header, ReadOnlySpan<byte> associatedData, Span<byte> joined)
    {
        header.CopyTo(joined);
        associatedData.CopyTo(joined[header.Length..]);
    }

    private static byte[] JoinAssociatedData(ReadOnlySpan<byte> header, ReadOnlySpan<byte> associatedData)
    {
        var joined = new byte[JoinedLength(header.Length, associatedData.Length)];
        JoinAssociatedData(header, associatedData, joined);
        return joined;
    }

    /// <summary>The ciphertext length for <paramref name="plaintextLength"/> bytes; a plaintext too long for one is an argument error, not an overflow.</summary>
    private static int CiphertextLength(int plaintextLength, KeyRingAlgorithm algorithm)
    {
        int overhead = KeyRingFormat.MessageOverhead(algorithm);
        return plaintextLength <= int.MaxValue - overhead
            ? plaintextLength + overhead
            : throw Error.KeyRingTooLong("plaintext", plaintextLength, int.MaxValue - overhead);
    }

    /// <summary>The length of the header and the caller's associated data together; too long is an argument error, not an overflow.</summary>
    private static int JoinedLength(int headerLength, int associatedDataLength) =>
        associatedDataLength <= int.MaxValue - headerLength
            ? headerLength + associatedDataLength
            : throw Error.KeyRingTooLong("associatedData", associatedDataLength, int.MaxValue - headerLength);

    private byte[] StreamHeader(KeyRingCipher cipher, int chunkSize)
    {
        var header = new byte[KeyRingFormat.StreamHeaderSize(cipher.Algorithm)];
        KeyRingFormat.WriteStreamHeader(header, cipher.Algorithm, cipher.Version, chunkSize);
        FillRandom(header.AsSpan(KeyRingFormat.StreamFixedHeaderSize));
        return header;
    }

    private static int SealChunk(KeyRingCipher cipher, byte[] header, uint counter, bool last, ReadOnlySpan<byte> chunk, Span<byte> output, ReadOnlySpan<byte> ad)
    {
        Span<byte> nonce = stackalloc byte[cipher.NonceSize];
        KeyRingFormat.ChunkNonce(nonce, header.AsSpan(KeyRingFormat.StreamFixedHeaderSize), counter, last);
        cipher.Encrypt(nonce, chunk, output[..chunk.Length], output.Slice(chunk.Length, cipher.TagSize), ad);
        return chunk.Length + cipher.TagSize;
    }

    private static int OpenChunk(KeyRingCipher cipher, byte[] header, uint counter, bool last, ReadOnlySpan<byte> sealedChunk, Span<byte> output, ReadOnlySpan<byte> ad)
    {
        if (sealedChunk.Length < cipher.TagSize)
        {
            throw Error.KeyRingTruncated(stream: true);
        }

        Span<byte> nonce = stackalloc byte[cipher.NonceSize];
        KeyRingFormat.ChunkNonce(nonce, header.AsSpan(KeyRingFormat.StreamFixedHeaderSize), counter, last);
        int length = sealedChunk.Length - cipher.TagSize;
        cipher.Decrypt(nonce, sealedChunk[..length], sealedChunk[length..], output[..length], ad);
        return length;
    }

    private static async Task<(byte[] Header, int ChunkSize)> ReadStreamHeaderAsync(Stream ciphertext, CancellationToken cancellationToken)
    {
        var fixedPart = new byte[KeyRingFormat.StreamFixedHeaderSize];
        if (await ChunkPipeline.ReadFullyAsync(ciphertext, fixedPart, cancellationToken).ConfigureAwait(false) < fixedPart.Length)
        {
            throw Error.KeyRingTruncated(stream: true);
        }

        var (algorithm, _) = KeyRingFormat.ReadHeader(fixedPart, KeyRingFormat.StreamFormat);
        uint chunkSize = BinaryPrimitives.ReadUInt32BigEndian(fixedPart.AsSpan(6, 4));
        if (chunkSize is 0 or > KeyRingFormat.MaxChunkSize)
        {
            throw Error.KeyRingChunkSize(chunkSize, KeyRingFormat.MaxChunkSize);
        }

        var header = new byte[KeyRingFormat.StreamHeaderSize(algorithm)];
        fixedPart.CopyTo(header, 0);
        if (await ChunkPipeline.ReadFullyAsync(ciphertext, header.AsMemory(fixedPart.Length), cancellationToken).ConfigureAwait(false) < header.Length - fixedPart.Length)
        {
            throw Error.KeyRingTruncated(stream: true);
        }

        return (header, (int)chunkSize);
    }

    private KeyRingCipher Parse(ReadOnlySpan<byte> ciphertext, out ReadOnlySpan<byte> nonce, out ReadOnlySpan<byte> body, out ReadOnlySpan<byte> tag)
    {
        var (algorithm, version) = KeyRingFormat.ReadHeader(ciphertext, KeyRingFormat.MessageFormat);
        if (ciphertext.Length < KeyRingFormat.MessageOverhead(algorithm))
        {
            throw Error.KeyRingTruncated(stream: false);
        }

        var cipher = AcquireForDecryption(version, algorithm);
        int nonceEnd = KeyRingFormat.MessageHeaderSize + cipher.NonceSize;
        int tagStart = ciphertext.Length - cipher.TagSize;
        nonce = ciphertext[KeyRingFormat.MessageHeaderSize..nonceEnd];
        body = ciphertext[nonceEnd..tagStart];
        tag = ciphertext[tagStart..];
        return cipher;
    }

    /// <summary>The cipher of the newest version, with a reference the caller releases.</summary>
    private KeyRingCipher AcquireForEncryption()
    {
        lock (gate)
        {
            ObjectDisposedException.ThrowIf(disposed, this);
            CatchUp();
            if (newestVersion == 0)
            {
                throw Error.KeyStoreNameNotFound(keyName);
            }

            return TryAcquire(newestVersion, EncryptionAlgorithm) ?? throw Error.KeyStoreNameNotFound(keyName);
        }
    }

    /// <summary>The cipher of <paramref name="version"/>, with a reference the caller releases; refreshes the storage once for a version newer than it knows.</summary>
    private KeyRingCipher AcquireForDecryption(int version, KeyRingAlgorithm algorithm)
    {
        lock (gate)
        {
            ObjectDisposedException.ThrowIf(disposed, this);
            CatchUp();
            var cipher = TryAcquire(version, algorithm);
            if (cipher is null && version > newestVersion && MayRefreshForMiss())
            {
                storage.Refresh();
                CatchUp();
                cipher = TryAcquire(version, algorithm);
            }

            return cipher ?? throw Error.KeyRingVersionUnavailable(keyName, version);
        }
    }

    /// <summary>
    /// Whether a version newer than the storage knows may send it back to its file or database now. Anyone who can hand
    /// the ring a ciphertext can name any version, and a refresh reads the whole store under the storage's lock, so
    /// such refreshes are at least <see cref="MissRefreshInterval"/> apart; in between, an unknown version fails at once.
    /// </summary>
    private bool MayRefreshForMiss()
    {
        var now = Clock.GetUtcNow();
        if (storage.IsInMemory || now - lastMissRefresh < MissRefreshInterval)
        {
            return false;
        }

        lastMissRefresh = now;
        return true;
    }

    /// <summary>Re-reads the key's versions when the storage committed or read a change since the last call, and frees destroyed ones.</summary>
    private void CatchUp()
    {
        long generation = storage.Generation;
        if (generation == seenGeneration)
        {
            return;
        }

        liveVersions.Clear();
        newestVersion = 0;
        if (storage.Contains(keyName))
        {
            try
            {
                foreach (var info in storage.ListVersions(keyName))
                {
                    liveVersions.Add(info.Version);
                    newestVersion = Math.Max(newestVersion, info.Version);
                }
            }
            catch (KeyNotFoundException)
            {
                // Deleted by another thread between the two calls: no versions.
            }
        }

        foreach (var key in ciphers.Keys.Where(k => !liveVersions.Contains(k.Version)).ToList())
        {
            ciphers.Remove(key, out var stale);
            stale!.Release();
        }

        seenGeneration = generation;
    }

    private KeyRingCipher? TryAcquire(int version, KeyRingAlgorithm algorithm)
    {
        if (!ciphers.TryGetValue((version, algorithm), out var cipher))
        {
            if (!liveVersions.Contains(version))
            {
                return null;
            }

            cipher = Create(version, algorithm);
            if (cipher is null)
            {
                return null;
            }

            ciphers.Add((version, algorithm), cipher);
        }

        cipher.AddReference();
        return cipher;
    }

    private KeyRingCipher? Create(int version, KeyRingAlgorithm algorithm)
    {
        SecureBuffer key;
        try
        {
            key = storage.Retrieve(keyName, version);
        }
        catch (KeyNotFoundException)
        {
            return null;
        }

        using (key)
        {
            if (key.Length != SecureXChaCha20Poly1305.KeySizeInBytes)
            {
                throw Error.KeyRingKeyLength(keyName, version, key.Length);
            }

            return KeyRingCipher.Create(algorithm, version, key);
        }
    }
}
