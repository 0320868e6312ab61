using System.Security.Cryptography;
using Ama.Cryptography.KeyManagement;
using static Ama.Cryptography.Tests.KeyManagement.KeyRingTestSupport;

namespace Ama.Cryptography.Tests.KeyManagement;

/// <summary>Every change to a KeyRingAead message or stream is detected; the unchanged input is the negative control.</summary>
public sealed class KeyRingTamperTests
{
    private const int ChunkSize = 8;

    public static TheoryData<byte> AllAlgorithms => Algorithms();

    [Theory]
    [MemberData(nameof(AllAlgorithms))]
    public void Every_single_bit_flip_and_truncation_of_a_message_is_detected(byte algorithm)
    {
        using var storage = StorageWithKey(versions: 2);
        using var ring = Open(storage, (KeyRingAlgorithm)algorithm);
        byte[] ad = [5, 6];
        byte[] ciphertext = ring.Encrypt([1, 2, 3, 4, 5], ad);
        Assert.Equal([1, 2, 3, 4, 5], ring.Decrypt(ciphertext, ad));

        for (int bit = 0; bit < ciphertext.Length * 8; bit++)
        {
            byte[] altered = (byte[])ciphertext.Clone();
            altered[bit / 8] ^= (byte)(1 << (bit % 8));
            Assert.ThrowsAny<CryptographicException>(() => ring.Decrypt(altered, ad));
        }

        for (int length = 0; length < ciphertext.Length; length++)
        {
            byte[] truncated = ciphertext[..length];
            Assert.ThrowsAny<CryptographicException>(() => ring.Decrypt(truncated, ad));
        }

        Assert.ThrowsAny<CryptographicException>(() => ring.Decrypt([.. ciphertext, 0], ad));
    }

    [Theory]
    [MemberData(nameof(AllAlgorithms))]
    public async Task Every_single_bit_flip_and_truncation_of_a_multi_chunk_stream_is_detected(byte algorithm)
    {
        using var storage = StorageWithKey(versions: 2);
        using var ring = Open(storage, (KeyRingAlgorithm)algorithm, chunkSize: ChunkSize);
        byte[] ad = [5, 6];
        byte[] plaintext = RandomNumberGenerator.GetBytes((3 * ChunkSize) + 3);
        byte[] stream = await EncryptStreamAsync(ring, plaintext, ad);
        Assert.Equal(plaintext, await DecryptStreamAsync(ring, stream, ad));

        for (int bit = 0; bit < stream.Length * 8; bit++)
        {
            byte[] altered = (byte[])stream.Clone();
            altered[bit / 8] ^= (byte)(1 << (bit % 8));
            await Assert.ThrowsAnyAsync<CryptographicException>(() => DecryptStreamAsync(ring, altered, ad));
        }

        for (int length = 0; length < stream.Length; length++)
        {
            byte[] truncated = stream[..length];
            await Assert.ThrowsAnyAsync<CryptographicException>(() => DecryptStreamAsync(ring, truncated, ad));
        }
    }

    [Theory]
    [MemberData(nameof(AllAlgorithms))]
    public async Task Reordered_repeated_removed_appended_and_dropped_final_chunks_are_detected(byte algorithm)
    {
        using var storage = StorageWithKey();
        using var ring = Open(storage, (KeyRingAlgorithm)algorithm, chunkSize: ChunkSize);
        byte[] plaintext = RandomNumberGenerator.GetBytes((3 * ChunkSize) + 3);
        var (header, chunks) = Split(ring, await EncryptStreamAsync(ring, plaintext), (KeyRingAlgorithm)algorithm);
        Assert.Equal(4, chunks.Count);
        Assert.Equal(plaintext, await DecryptStreamAsync(ring, Join(header, chunks)));

        await AssertRejected(ring, Join(header, [chunks[1], chunks[0], chunks[2], chunks[3]]));
        await AssertRejected(ring, Join(header, [chunks[0], chunks[0], chunks[1], chunks[2], chunks[3]]));
        await AssertRejected(ring, Join(header, [chunks[0], chunks[2], chunks[3]]));
        await AssertRejected(ring, Join(header, [chunks[0], chunks[1], chunks[2]]));
        await AssertRejected(ring, Join(header, [chunks[0], chunks[1], chunks[2], chunks[3], chunks[3]]));
        await AssertRejected(ring, Join(header, [chunks[0], chunks[1], chunks[3], chunks[2]]));
        await AssertRejected(ring, header);
    }

    [Theory]
    [MemberData(nameof(AllAlgorithms))]
    public async Task Streams_spliced_together_or_with_swapped_headers_are_detected(byte algorithm)
    {
        using var storage = StorageWithKey();
        using var ring = Open(storage, (KeyRingAlgorithm)algorithm, chunkSize: ChunkSize);
        byte[] plaintext = RandomNumberGenerator.GetBytes((3 * ChunkSize) + 3);
        var (headerA, chunksA) = Split(ring, await EncryptStreamAsync(ring, plaintext), (KeyRingAlgorithm)algorithm);
        var (headerB, chunksB) = Split(ring, await EncryptStreamAsync(ring, plaintext), (KeyRingAlgorithm)algorithm);
        Assert.Equal(plaintext, await DecryptStreamAsync(ring, Join(headerB, chunksB)));

        await AssertRejected(ring, Join(headerA, [chunksA[0], chunksB[1], chunksA[2], chunksA[3]]));
        await AssertRejected(ring, Join(headerA, [chunksA[0], chunksA[1], chunksB[2], chunksB[3]]));
        await AssertRejected(ring, Join(headerB, chunksA));
    }

    [Fact]
    public async Task Decryption_writes_verified_whole_chunks_only_and_nothing_from_the_altered_chunk_on()
    {
        using var storage = StorageWithKey();
        using var ring = Open(storage, KeyRingAlgorithm.XChaCha20Poly1305, chunkSize: ChunkSize);
        int sealedChunk = ChunkSize + SecureXChaCha20Poly1305.TagSizeInBytes;
        int chunksPerBatch = ChunkPipeline.BatchBytes / sealedChunk;

        // The altered chunk lies in the third batch, so two verified batches come before it.
        int altered = (2 * chunksPerBatch) + 2;
        byte[] plaintext = RandomNumberGenerator.GetBytes(((altered + 5) * ChunkSize) + 3);
        byte[] stream = await EncryptStreamAsync(ring, plaintext);
        stream[KeyRingFormat.StreamHeaderSize(KeyRingAlgorithm.XChaCha20Poly1305) + (altered * sealedChunk)] ^= 1;

        using var input = new MemoryStream(stream);
        using var output = new MemoryStream();
        await Assert.ThrowsAnyAsync<CryptographicException>(() => ring.DecryptStreamAsync(input, output, cancellationToken: TestContext.Current.CancellationToken));
        byte[] written = output.ToArray();
        Assert.InRange(written.Length, 0, altered * ChunkSize);
        Assert.Equal(0, written.Length % ChunkSize);
        Assert.Equal(plaintext[..written.Length], written);
    }

    [Fact]
    public async Task An_empty_stream_is_one_final_chunk_and_a_multiple_of_the_chunk_size_ends_in_a_full_final_chunk()
    {
        using var storage = StorageWithKey();
        using var ring = Open(storage, KeyRingAlgorithm.XChaCha20Poly1305, chunkSize: ChunkSize);
        int header = KeyRingFormat.StreamHeaderSize(KeyRingAlgorithm.XChaCha20Poly1305);
        int tag = SecureXChaCha20Poly1305.TagSizeInBytes;

        byte[] empty = await EncryptStreamAsync(ring, []);
        Assert.Equal(header + tag, empty.Length);
        Assert.Empty(await DecryptStreamAsync(ring, empty));

        byte[] plaintext = RandomNumberGenerator.GetBytes(2 * ChunkSize);
        byte[] stream = await EncryptStreamAsync(ring, plaintext);
        Assert.Equal(header + (2 * (ChunkSize + tag)), stream.Length);
        Assert.Equal(plaintext, await DecryptStreamAsync(ring, stream));
    }

    [Fact]
    public async Task A_stream_header_naming_an_oversized_chunk_is_refused_before_any_allocation()
    {
        using var storage = StorageWithKey();
        using var ring = Open(storage, KeyRingAlgorithm.XChaCha20Poly1305);
        byte[] stream = await EncryptStreamAsync(ring, [1]);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(stream.AsSpan(6), uint.MaxValue);
        var e = await Assert.ThrowsAnyAsync<CryptographicException>(() => DecryptStreamAsync(ring, stream));
        Assert.Contains("chunk size", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_large_stream_with_the_default_chunk_size_round_trips()
    {
        using var storage = StorageWithKey();
        using var ring = KeyRingAead.Open(storage, "data");
        byte[] plaintext = RandomNumberGenerator.GetBytes((3 * KeyRingFormat.DefaultChunkSize) + 17);
        Assert.Equal(plaintext, await DecryptStreamAsync(ring, await EncryptStreamAsync(ring, plaintext)));
    }

    private static async Task AssertRejected(KeyRingAead ring, byte[] stream) =>
        await Assert.ThrowsAnyAsync<CryptographicException>(() => DecryptStreamAsync(ring, stream));

    private static (byte[] Header, List<byte[]> Chunks) Split(KeyRingAead ring, byte[] stream, KeyRingAlgorithm algorithm)
    {
        int headerSize = KeyRingFormat.StreamHeaderSize(algorithm);
        int sealedSize = ring.StreamChunkSize + KeyRingCipher.TagSizeOf(algorithm);
        var chunks = new List<byte[]>();
        for (int at = headerSize; at < stream.Length; at += sealedSize)
        {
            chunks.Add(stream[at..Math.Min(stream.Length, at + sealedSize)]);
        }

        return (stream[..headerSize], chunks);
    }

    private static byte[] Join(byte[] header, IEnumerable<byte[]> chunks) => [.. header, .. chunks.SelectMany(c => c)];
}
