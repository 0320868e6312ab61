using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using Ama.Cryptography.Interop;

namespace Ama.Cryptography.KeyManagement;

/// <summary>
/// Reads and writes the key store file (docs/keystore-format.md). Parsing is strict and
/// canonical: any byte that is not exactly what <see cref="Serialize(KeyStoreState, ReadOnlySpan{byte})"/> would write gives
/// <see cref="KeyStoreDamagedException"/>, and nothing else.
/// </summary>
internal static partial class KeyStoreFormat
{
    /// <summary>The version every commit writes: 2, whose MAC key is bound to the store's place (<see cref="KeyStoreBinding"/>).</summary>
    internal const ushort FormatVersion = 2;

    /// <summary>Version 1: the same layout, with a MAC key bound to nothing. Still read; its next commit writes version 2.</summary>
    internal const ushort UnboundFormatVersion = 1;

    internal const int HeaderLength = 176;
    internal const int MacLength = 32;
    internal const int ChecksumLength = 32;

    /// <summary>From this image length the MAC and the checksum are computed side by side (below it a thread costs more than it saves).</summary>
    private const int ParallelHashLength = 1 << 20;

    /// <summary>The longest image a writer keeps its buffer for between writes (see <see cref="Serialize(KeyStoreState, ReadOnlySpan{byte}, ref byte[])"/>).</summary>
    private const int MaxScratchLength = 32 << 20;
    internal const int TrailerLength = MacLength + ChecksumLength;
    internal const int NonceLength = 12;
    internal const int TagLength = 16;
    internal const int WrappedKeyLength = NonceLength + KeyDerivation.KeyLength + TagLength;
    internal const int MaxKeyMaterialLength = 1 << 20;
    internal const long MaxFileLength = 256L << 20;

    /// <summary>9999-12-31T23:59:59.999Z, the last moment <see cref="DateTimeOffset"/> can hold.</summary>
    private const long MaxUnixMilliseconds = 253_402_300_799_999;

    private const int GenerationOffset = 28;
    private const int KdfOffset = 36;
    private const int SaltOffset = 52;
    private const int CommitmentOffset = 68;
    private const int EncryptionsOffset = 100;
    private const int WrappedKeyOffset = 108;
    private const int EntryCountOffset = 168;

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>0x89 "AMAKS" CR LF: the high byte and the line ending catch text-mode transfers.</summary>
    internal static ReadOnlySpan<byte> Magic => [0x89, (byte)'A', (byte)'M', (byte)'A', (byte)'K', (byte)'S', 0x0D, 0x0A];

    internal static bool IsEncodable(string text)
    {
        try
        {
            _ = StrictUtf8.GetByteCount(text);
            return true;
        }
        catch (EncoderFallbackException)
        {
            return false;
        }
    }

    /// <summary>The associated data that wraps the data key: the header's fixed fields, without the generation and counters that change on every write.</summary>
    internal static byte[] WrapAssociatedData(KeyStoreState state)
    {
        var header = new byte[HeaderLength];
        WriteHeader(header, state, entryCount: 0);
        return [.. header.AsSpan(0, GenerationOffset), .. header.AsSpan(KdfOffset, EncryptionsOffset - KdfOffset)];
    }

    /// <summary>The associated data of one sealed version: store id, name and the version's public fields.</summary>
    internal static byte[] EntryAssociatedData(ReadOnlySpan<byte> storeId, string name, int version, long createdUnixMs, KeyValuePair<string, string>[] metadata, int length)
    {
        var writer = new ArrayBufferWriter<byte>(64 + name.Length);
        writer.Write("AMA key store v1 entry"u8);
        writer.Write(storeId);
        WriteName(writer, name);
        WriteVersionFields(writer, version, createdUnixMs, metadata, length);
        return writer.WrittenSpan.ToArray();
    }

    internal static byte[] Serialize(KeyStoreState state, ReadOnlySpan<byte> macKey)
    {
        // Written straight into an array of the exact length, which is returned: an
        // ArrayBufferWriter and a ToArray of it held two more copies of the whole image at once.
        var image = new byte[CheckedLength(state)];
        WriteImage(state, macKey, image, image.Length);
        return image;
    }

    /// <summary>
    /// Writes the image into <paramref name="scratch"/>, which the caller keeps between writes and this method
    /// replaces when it is too small, and returns the part that holds it. A fresh array of several megabytes costs
    /// more to fault in than to fill, and makes garbage for a full collection at every write. Images longer than
    /// <see cref="MaxScratchLength"/> go to an array of their own, so a large store does not keep a second copy.
    /// </summary>
    internal static ReadOnlyMemory<byte> Serialize(KeyStoreState state, ReadOnlySpan<byte> macKey, ref byte[]? scratch)
    {
        int length = CheckedLength(state);
        if (length > MaxScratchLength)
        {
            scratch = null;
            var image = new byte[length];
            WriteImage(state, macKey, image, length);
            return image;
        }

        if (scratch is null || scratch.Length < length)
        {
            // Room to grow, so a store that gains a version at every write does not replace its buffer every time.
            scratch = new byte[Math.Min(MaxScratchLength, length + (length / 8) + 4096)];
        }

        WriteImage(state, macKey, scratch, length);
        return scratch.AsMemory(0, length);
    }

    private static int CheckedLength(KeyStoreState state)
    {
        long length = SerializedLength(state);
        return length <= MaxFileLength
            ? (int)length
            : throw Error.KeyStoreTooLarge(length, MaxFileLength); // Parse refuses such a file, so it must never be written.
    }

    private static void WriteImage(KeyStoreState state, ReadOnlySpan<byte> macKey, byte[] image, int length)
    {
        WriteHeader(image.AsSpan(0, HeaderLength), state, state.Entries.Count);
        int written = HeaderLength + CopyRecords(state, image.AsSpan(HeaderLength, length - HeaderLength));
        if (written != length - TrailerLength)
        {
            throw Error.KeyStoreSerializedLengthMismatch(written + TrailerLength, length);
        }

        WriteTrailer(image, written, macKey);
    }

    /// <summary>
    /// Writes the MAC and the checksum after the first <paramref name="written"/> bytes. The checksum covers the
    /// MAC too, but most of it is the same bytes the MAC covers: for a large image the two run side by side, and
    /// the checksum takes the MAC in last (on two cores a large store is written in about two thirds of the time).
    /// </summary>
    private static void WriteTrailer(byte[] image, int written, ReadOnlySpan<byte> macKey)
    {
        Span<byte> mac = image.AsSpan(written, MacLength);
        Span<byte> checksum = image.AsSpan(written + MacLength, ChecksumLength);
        if (written < ParallelHashLength || Environment.ProcessorCount < 2)
        {
            HMACSHA256.HashData(macKey, image.AsSpan(0, written), mac);
            ScrubbedCall.AfterForeignCall();
            SHA256.HashData(image.AsSpan(0, written + MacLength), checksum);
            return;
        }

        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var body = Task.Run(() => sha.AppendData(image, 0, written));
        try
        {
            HMACSHA256.HashData(macKey, image.AsSpan(0, written), mac);
            ScrubbedCall.AfterForeignCall();
        }
        finally
        {
            // Never dispose the hash, or let the caller reuse the buffer, while the other thread still reads it.
            body.GetAwaiter().GetResult();
        }

        sha.AppendData(mac);
        sha.GetHashAndReset(checksum);
    }

    /// <summary>
    /// The entry's bytes in the image: its <see cref="KeyEntry.Record"/>, or, for an entry changed since it was read,
    /// its fields encoded once and kept as its record.
    /// </summary>
    private static ReadOnlyMemory<byte> RecordOf(KeyEntry entry)
    {
        if (entry.Record.IsEmpty)
        {
            entry.Record = EncodeRecord(entry);
        }

        return entry.Record;
    }

    /// <summary>Encodes the entry's fields; its versions then slice the record, so the entry holds its sealed bytes once.</summary>
    private static byte[] EncodeRecord(KeyEntry entry)
    {
        var writer = new ArrayBufferWriter<byte>();
        WriteName(writer, entry.Name);
        WriteUInt32(writer, (uint)entry.NextVersion);
        WriteUInt16(writer, (ushort)entry.Versions.Count);
        var offsets = new int[entry.Versions.Count];
        for (int i = 0; i < offsets.Length; i++)
        {
            var version = entry.Versions[i];
            WriteVersionFields(writer, version.Version, version.CreatedUnixMs, version.Metadata, version.Length);
            offsets[i] = writer.WrittenCount;
            writer.Write(version.Sealed.Span);
        }

        byte[] record = writer.WrittenSpan.ToArray();
        for (int i = 0; i < offsets.Length; i++)
        {
            var version = entry.Versions[i];
            entry.Versions[i] = new SealedVersion
            {
                Version = version.Version,
                CreatedUnixMs = version.CreatedUnixMs,
                Metadata = version.Metadata,
                Length = version.Length,
                Sealed = record.AsMemory(offsets[i], version.Sealed.Length),
            };
        }

        return record;
    }

    /// <summary>
    /// Copies every entry's record into <paramref name="destination"/> in name order; returns the bytes written.
    /// Records that lie next to each other in the image they were read from are copied as one run.
    /// </summary>
    private static int CopyRecords(KeyStoreState state, Span<byte> destination)
    {
        int written = 0;
        ReadOnlyMemory<byte> run = default;
        foreach (var entry in state.Entries.Ordered)
        {
            var record = RecordOf(entry);
            if (!TryExtend(ref run, record))
            {
                run.Span.CopyTo(destination[written..]);
                written += run.Length;
                run = record;
            }
        }

        run.Span.CopyTo(destination[written..]);
        return written + run.Length;
    }

    /// <summary>Extends <paramref name="run"/> by <paramref name="next"/> when it starts where the run ends, in the same array.</summary>
    private static bool TryExtend(ref ReadOnlyMemory<byte> run, ReadOnlyMemory<byte> next)
    {
        if (!MemoryMarshal.TryGetArray(run, out var a) || !MemoryMarshal.TryGetArray(next, out var b)
            || a.Array != b.Array || a.Offset + a.Count != b.Offset || run.IsEmpty)
        {
            return false;
        }

        run = a.Array.AsMemory(a.Offset, a.Count + b.Count);
        return true;
    }

    /// <summary>A copy of the image's trailer (MAC and checksum), which names the image; an image too short to have one gives an empty array.</summary>
    internal static byte[] TrailerOf(ReadOnlySpan<byte> image) =>
        image.Length < HeaderLength + TrailerLength ? [] : image[^TrailerLength..].ToArray();

    /// <summary>
    /// Whether <paramref name="image"/> is the image whose trailer is <paramref name="trailer"/>: the
    /// same trailer, and a checksum that matches its bytes (so an edit that kept the trailer is not
    /// taken for the unchanged image). Hashes the image in place; copies nothing.
    /// </summary>
    internal static bool IsImageWithTrailer(ReadOnlySpan<byte> image, ReadOnlySpan<byte> trailer)
    {
        if (trailer.Length != TrailerLength || image.Length < HeaderLength + TrailerLength || !image[^TrailerLength..].SequenceEqual(trailer))
        {
            return false;
        }

        Span<byte> checksum = stackalloc byte[ChecksumLength];
        SHA256.HashData(image[..^ChecksumLength], checksum);
        return checksum.SequenceEqual(image[^ChecksumLength..]);
    }

    /// <summary>The exact length <see cref="Serialize(KeyStoreState, ReadOnlySpan{byte})"/> writes, computed without writing it.</summary>
    internal static long SerializedLength(KeyStoreState state)
    {
        long length = HeaderLength + TrailerLength;
        foreach (var entry in state.Entries.Ordered)
        {
            if (!entry.Record.IsEmpty)
            {
                length += entry.Record.Length;
                continue;
            }

            length += 1 + entry.Name.Length + 4 + 2;
            foreach (var version in entry.Versions)
            {
                length += 4 + 8 + 2 + 4 + version.Sealed.Length;
                foreach (var pair in version.Metadata)
                {
                    length += 2 + StrictUtf8.GetByteCount(pair.Key) + 2 + StrictUtf8.GetByteCount(pair.Value);
                }
            }
        }

        return length;
    }

    /// <summary>Checks the checksum and structure and returns the state; the MAC is checked later by <see cref="MacMatches"/>, once the key is known.</summary>
    /// <summary>Parses an image whose sealed versions are then slices of <paramref name="file"/>, which must not change afterwards.</summary>
    internal static KeyStoreState Parse(byte[] file) => Parse(file, file);

    internal static KeyStoreState Parse(ReadOnlySpan<byte> file) => Parse(file, ReadOnlyMemory<byte>.Empty);

    private static KeyStoreState Parse(ReadOnlySpan<byte> file, ReadOnlyMemory<byte> backing)
    {
        if (file.Length < HeaderLength + TrailerLength || file.Length > MaxFileLength)
        {
            throw Error.KeyStoreDamaged("the file is too short or too long to be a key store");
        }

        if (!file.StartsWith(Magic))
        {
            throw Error.KeyStoreDamaged("the file does not start with the key store magic number");
        }

        Span<byte> checksum = stackalloc byte[ChecksumLength];
        SHA256.HashData(file[..^ChecksumLength], checksum);
        if (!checksum.SequenceEqual(file[^ChecksumLength..]))
        {
            throw Error.KeyStoreDamaged("the checksum does not match (the file was truncated or altered)");
        }

        var state = ReadHeader(file, out int entryCount);
        var reader = new Reader(file[HeaderLength..^TrailerLength], backing.IsEmpty ? backing : backing[HeaderLength..^TrailerLength]);
        var entries = new KeyEntry[entryCount];
        string? previous = null;
        for (int i = 0; i < entryCount; i++)
        {
            int start = reader.Position;
            var entry = ReadEntry(ref reader);
            if (previous is not null && string.CompareOrdinal(previous, entry.Name) >= 0)
            {
                throw Error.KeyStoreDamaged("the entries are not in strictly ascending name order");
            }

            previous = entry.Name;
            entry.Record = backing.IsEmpty ? default : backing.Slice(HeaderLength + start, reader.Position - start);
            entries[i] = entry;
        }

        state.Entries = new KeyEntries(entries);

        if (!reader.AtEnd)
        {
            throw Error.KeyStoreDamaged("bytes follow the last entry");
        }

        return state;
    }

    internal static bool MacMatches(ReadOnlySpan<byte> file, ReadOnlySpan<byte> macKey)
    {
        Span<byte> mac = stackalloc byte[MacLength];
        HMACSHA256.HashData(macKey, file[..^TrailerLength], mac);
        ScrubbedCall.AfterForeignCall();
        return CryptographicOperations.FixedTimeEquals(mac, file[^TrailerLength..^ChecksumLength]);
    }

    private static void WriteHeader(Span<byte> header, KeyStoreState state, int entryCount)
    {
        header.Clear();
        Magic.CopyTo(header);
        BinaryPrimitives.WriteUInt16LittleEndian(header[8..], state.FormatVersion);
        BinaryPrimitives.WriteUInt16LittleEndian(header[10..], HeaderLength);
        state.StoreId.CopyTo(header[12..]);
        BinaryPrimitives.WriteUInt64LittleEndian(header[GenerationOffset..], state.Generation);
        if (state.Kdf is { } kdf)
        {
            header[KdfOffset] = (byte)kdf.Algorithm;
            BinaryPrimitives.WriteUInt32LittleEndian(header[(KdfOffset + 4)..], (uint)kdf.MemoryKiB);
            BinaryPrimitives.WriteUInt32LittleEndian(header[(KdfOffset + 8)..], (uint)kdf.Iterations);
            BinaryPrimitives.WriteUInt32LittleEndian(header[(KdfOffset + 12)..], kdf.Algorithm == KeyStoreKdfAlgorithm.Argon2id ? 1u : 0u);
        }

        state.Salt.CopyTo(header[SaltOffset..]);
        state.Commitment.CopyTo(header[CommitmentOffset..]);
        BinaryPrimitives.WriteUInt64LittleEndian(header[EncryptionsOffset..], state.Encryptions);
        state.WrappedDataKey.CopyTo(header[WrappedKeyOffset..]);
        BinaryPrimitives.WriteUInt32LittleEndian(header[EntryCountOffset..], (uint)entryCount);
    }

    private static KeyStoreState ReadHeader(ReadOnlySpan<byte> file, out int entryCount)
    {
        ushort formatVersion = BinaryPrimitives.ReadUInt16LittleEndian(file[8..]);
        if (formatVersion is not (UnboundFormatVersion or FormatVersion))
        {
            throw Error.KeyStoreUnknownFormatVersion(formatVersion);
        }

        if (BinaryPrimitives.ReadUInt16LittleEndian(file[10..]) != HeaderLength
            || file.Slice(KdfOffset + 1, 3).ContainsAnyExcept((byte)0)
            || file.Slice(EntryCountOffset + 4, 4).ContainsAnyExcept((byte)0))
        {
            throw Error.KeyStoreDamaged("the header length or a reserved field is wrong");
        }

        var state = new KeyStoreState
        {
            FormatVersion = formatVersion,
            StoreId = file.Slice(12, 16).ToArray(),
            Generation = (ulong)CheckedGeneration(BinaryPrimitives.ReadUInt64LittleEndian(file[GenerationOffset..])),
            Kdf = ReadKdf(file),
            Salt = file.Slice(SaltOffset, KeyDerivation.SaltLength).ToArray(),
            Commitment = file.Slice(CommitmentOffset, 32).ToArray(),
            Encryptions = BinaryPrimitives.ReadUInt64LittleEndian(file[EncryptionsOffset..]),
            WrappedDataKey = file.Slice(WrappedKeyOffset, WrappedKeyLength).ToArray(),
        };
        uint count = BinaryPrimitives.ReadUInt32LittleEndian(file[EntryCountOffset..]);
        if (count > (file.Length - HeaderLength - TrailerLength) / 8)
        {
            throw Error.KeyStoreDamaged("the entry count is larger than the file can hold");
        }

        entryCount = (int)count;
        return state;
    }

    private static KeyStoreKdf? ReadKdf(ReadOnlySpan<byte> file)
    {
        byte algorithm = file[KdfOffset];
        uint memory = BinaryPrimitives.ReadUInt32LittleEndian(file[(KdfOffset + 4)..]);
        uint iterations = BinaryPrimitives.ReadUInt32LittleEndian(file[(KdfOffset + 8)..]);
        uint lanes = BinaryPrimitives.ReadUInt32LittleEndian(file[(KdfOffset + 12)..]);
        if (algorithm == 0)
        {
            return memory == 0 && iterations == 0 && lanes == 0
                ? null
                : throw Error.KeyStoreDamaged("a raw-key store has KDF parameters");
        }

        return KeyStoreKdf.FromHeader(algorithm, memory, iterations, lanes)
            ?? throw Error.KeyStoreKdfOutOfBounds();
    }

    private static KeyEntry ReadEntry(ref Reader reader)
    {
        var entry = new KeyEntry(ReadName(ref reader));
        uint next = reader.UInt32();
        int count = reader.UInt16();
        if (count == 0 || next > int.MaxValue)
        {
            throw Error.KeyStoreDamaged("an entry has no versions or an impossible next version");
        }

        entry.NextVersion = (int)next;
        int previous = 0;
        for (int i = 0; i < count; i++)
        {
            var version = ReadVersion(ref reader);
            if (version.Version <= previous || version.Version >= entry.NextVersion)
            {
                throw Error.KeyStoreDamaged("the versions of an entry are out of order");
            }

            previous = version.Version;
            entry.Versions.Add(version);
        }

        return entry;
    }

    private static SealedVersion ReadVersion(ref Reader reader)
    {
        uint version = reader.UInt32();
        long created = reader.Int64();
        int metadataCount = reader.UInt16();
        if (version == 0 || version > int.MaxValue || metadataCount > KeyMetadata.MaxPairs || created is < 0 or > MaxUnixMilliseconds)
        {
            throw Error.KeyStoreDamaged("a version number or metadata count is out of range");
        }

        var metadata = new KeyValuePair<string, string>[metadataCount];
        for (int i = 0; i < metadataCount; i++)
        {
            string key = ReadText(ref reader, KeyMetadata.MaxKeyLength);
            string value = ReadText(ref reader, KeyMetadata.MaxValueLength);
            if (key.Length == 0 || (i > 0 && string.CompareOrdinal(metadata[i - 1].Key, key) >= 0))
            {
                throw Error.KeyStoreDamaged("metadata keys are empty or out of order");
            }

            metadata[i] = new(key, value);
        }

        uint length = reader.UInt32();
        if (length > MaxKeyMaterialLength)
        {
            throw Error.KeyStoreDamaged("a key is longer than the format allows");
        }

        return new SealedVersion
        {
            Version = (int)version,
            CreatedUnixMs = created,
            Metadata = metadata,
            Length = (int)length,
            Sealed = reader.Memory(NonceLength + (int)length + TagLength),
        };
    }

    private static string ReadName(ref Reader reader)
    {
        int length = reader.Byte();
        var bytes = reader.Bytes(length);
        if (length == 0 || length > KeyNames.MaxNameLength)
        {
            throw Error.KeyStoreDamaged("a key name has an invalid length");
        }

        foreach (byte b in bytes)
        {
            if (!KeyNames.IsValidChar(b))
            {
                throw Error.KeyStoreDamaged("a key name has an invalid character");
            }
        }

        return Encoding.ASCII.GetString(bytes);
    }

    private static string ReadText(ref Reader reader, int maxChars)
    {
        var bytes = reader.Bytes(reader.UInt16());
        string text;
        try
        {
            text = StrictUtf8.GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            throw Error.KeyStoreDamaged("metadata is not valid UTF-8");
        }

        return text.Length <= maxChars ? text : throw Error.KeyStoreDamaged("metadata is too long");
    }

    private static void WriteName(ArrayBufferWriter<byte> writer, string name)
    {
        writer.GetSpan(1)[0] = (byte)name.Length;
        writer.Advance(1);
        writer.Advance(Encoding.ASCII.GetBytes(name, writer.GetSpan(name.Length)));
    }

    private static void WriteVersionFields(ArrayBufferWriter<byte> writer, int version, long createdUnixMs, KeyValuePair<string, string>[] metadata, int length)
    {
        WriteUInt32(writer, (uint)version);
        BinaryPrimitives.WriteInt64LittleEndian(writer.GetSpan(8), createdUnixMs);
        writer.Advance(8);
        WriteUInt16(writer, (ushort)metadata.Length);
        foreach (var pair in metadata)
        {
            WriteText(writer, pair.Key);
            WriteText(writer, pair.Value);
        }

        WriteUInt32(writer, (uint)length);
    }

    private static void WriteText(ArrayBufferWriter<byte> writer, string text)
    {
        int count = StrictUtf8.GetByteCount(text);
        WriteUInt16(writer, checked((ushort)count));
        writer.Advance(StrictUtf8.GetBytes(text, writer.GetSpan(count)));
    }

    private static void WriteUInt16(ArrayBufferWriter<byte> writer, ushort value)
    {
        BinaryPrimitives.WriteUInt16LittleEndian(writer.GetSpan(2), value);
        writer.Advance(2);
    }

    private static void WriteUInt32(ArrayBufferWriter<byte> writer, uint value)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(writer.GetSpan(4), value);
        writer.Advance(4);
    }

    /// <summary>A bounds-checked cursor: running off the end is damage, not an index exception.</summary>
    private ref struct Reader(ReadOnlySpan<byte> data, ReadOnlyMemory<byte> backing = default)
    {
        private readonly ReadOnlySpan<byte> data = data;

        /// <summary>The same bytes as <see cref="data"/> as memory, to slice from; empty when the caller has only a span, and then fields are copied.</summary>
        private readonly ReadOnlyMemory<byte> backing = backing;
        private int position;

        internal readonly bool AtEnd => position == data.Length;

        internal readonly int Position => position;

        internal ReadOnlySpan<byte> Bytes(int count)
        {
            if (count < 0 || count > data.Length - position)
            {
                throw Error.KeyStoreDamaged("a field runs past the end of the file");
            }

            var slice = data.Slice(position, count);
            position += count;
            return slice;
        }

        /// <summary>The next <paramref name="count"/> bytes as a slice of the backing memory, or a copy when there is none.</summary>
        internal ReadOnlyMemory<byte> Memory(int count)
        {
            int at = position;
            ReadOnlySpan<byte> bytes = Bytes(count);
            return backing.IsEmpty ? bytes.ToArray() : backing.Slice(at, count);
        }

        internal byte Byte() => Bytes(1)[0];

        internal ushort UInt16() => BinaryPrimitives.ReadUInt16LittleEndian(Bytes(2));

        internal uint UInt32() => BinaryPrimitives.ReadUInt32LittleEndian(Bytes(4));

        internal long Int64() => BinaryPrimitives.ReadInt64LittleEndian(Bytes(8));
    }
}
