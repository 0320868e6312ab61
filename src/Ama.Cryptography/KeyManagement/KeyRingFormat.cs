using System.Buffers.Binary;

namespace Ama.Cryptography.KeyManagement;

/// <summary>
/// The byte layouts of <see cref="KeyRingAead"/> (docs/keyring-format.md). A message is
/// <c>format(1) = 0x01 | algorithm(1) | key version(4, big-endian) | nonce | ciphertext | tag</c>; a stream starts with
/// <c>format(1) = 0x02 | algorithm(1) | key version(4) | chunk size(4) | nonce prefix (nonce size - 5)</c>.
/// The fixed-length header is the first part of every AEAD call's associated data, the caller's follows it.
/// </summary>
internal static class KeyRingFormat
{
    internal const byte MessageFormat = 0x01;
    internal const byte StreamFormat = 0x02;

    /// <summary>Format, algorithm and version: the part of a message bound as associated data.</summary>
    internal const int MessageHeaderSize = 6;

    /// <summary>Format, algorithm, version and chunk size; the nonce prefix follows.</summary>
    internal const int StreamFixedHeaderSize = 10;

    /// <summary>A chunk nonce ends with a 4-byte big-endian counter and a 1-byte last-chunk flag.</summary>
    internal const int ChunkNonceSuffixSize = 5;

    internal const int DefaultChunkSize = 64 * 1024;

    /// <summary>The largest chunk size a stream header may name, so a hostile header cannot make a reader allocate much.</summary>
    internal const int MaxChunkSize = 1024 * 1024;

    internal static int MessageOverhead(KeyRingAlgorithm algorithm) =>
        MessageHeaderSize + KeyRingCipher.NonceSizeOf(algorithm) + KeyRingCipher.TagSizeOf(algorithm);

    internal static int StreamHeaderSize(KeyRingAlgorithm algorithm) =>
        StreamFixedHeaderSize + KeyRingCipher.NonceSizeOf(algorithm) - ChunkNonceSuffixSize;

    internal static void WriteMessageHeader(Span<byte> header, KeyRingAlgorithm algorithm, int version)
    {
        header[0] = MessageFormat;
        header[1] = (byte)algorithm;
        BinaryPrimitives.WriteUInt32BigEndian(header[2..6], checked((uint)version));
    }

    internal static void WriteStreamHeader(Span<byte> header, KeyRingAlgorithm algorithm, int version, int chunkSize)
    {
        header[0] = StreamFormat;
        header[1] = (byte)algorithm;
        BinaryPrimitives.WriteUInt32BigEndian(header[2..6], checked((uint)version));
        BinaryPrimitives.WriteUInt32BigEndian(header[6..10], checked((uint)chunkSize));
    }

    /// <summary>Reads the algorithm and version of a header whose format byte is <paramref name="format"/>; throws on anything else.</summary>
    internal static (KeyRingAlgorithm Algorithm, int Version) ReadHeader(ReadOnlySpan<byte> header, byte format)
    {
        if (!header.IsEmpty && header[0] == (format == StreamFormat ? MessageFormat : StreamFormat))
        {
            throw Error.KeyRingWrongFormat(expectedStream: format == StreamFormat);
        }

        if (header.Length < MessageHeaderSize || header[0] != format)
        {
            throw Error.KeyRingNotACiphertext(format == StreamFormat);
        }

        var algorithm = (KeyRingAlgorithm)header[1];
        if (algorithm is not (KeyRingAlgorithm.XChaCha20Poly1305 or KeyRingAlgorithm.Aegis256))
        {
            throw Error.KeyRingAlgorithmUnsupported(header[1]);
        }

        uint version = BinaryPrimitives.ReadUInt32BigEndian(header[2..6]);
        if (version is 0 or > int.MaxValue)
        {
            throw Error.KeyRingVersionOutOfRange(version);
        }

        return (algorithm, (int)version);
    }

    /// <summary>The nonce of chunk <paramref name="counter"/>: the stream's random prefix, the counter, and whether it is the last chunk.</summary>
    internal static void ChunkNonce(Span<byte> nonce, ReadOnlySpan<byte> prefix, uint counter, bool last)
    {
        prefix.CopyTo(nonce);
        BinaryPrimitives.WriteUInt32BigEndian(nonce.Slice(prefix.Length, 4), counter);
        nonce[prefix.Length + 4] = last ? (byte)1 : (byte)0;
    }
}
