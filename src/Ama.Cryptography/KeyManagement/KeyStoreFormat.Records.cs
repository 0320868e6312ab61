using System.Buffers.Binary;

namespace Ama.Cryptography.KeyManagement;

/// <summary>
/// An image cut into the pieces a database keeps in rows: the header, one record per key name (the
/// name with all its sealed versions, byte for byte as in the file), and the trailer (the whole-image
/// MAC and the SHA-256 checksum). Joining the pieces back gives the exact image, so the checksum and
/// MAC that protect a file protect the rows too: any changed byte fails the checksum before the
/// credential is even tried, and an edit that also fixes the checksum fails the MAC.
/// </summary>
internal static partial class KeyStoreFormat
{
    /// <summary>
    /// Cuts an image that <see cref="Serialize(KeyStoreState, ReadOnlySpan{byte})"/> wrote into header, records (in name order) and
    /// trailer. It walks the records without checking the checksum or MAC again: the image comes
    /// from this process, and a reader checks everything when it joins the pieces back.
    /// </summary>
    /// <exception cref="KeyStoreDamagedException">The image is not well formed.</exception>
    internal static ImageParts Split(byte[] image)
    {
        if (image.Length < HeaderLength + TrailerLength)
        {
            throw Error.KeyStoreDamaged("the image is too short to be a key store");
        }

        int entryCount = BinaryPrimitives.ReadInt32LittleEndian(image.AsSpan(EntryCountOffset));
        var reader = new Reader(image.AsSpan(HeaderLength, image.Length - HeaderLength - TrailerLength));
        var records = new List<ImageRecord>(entryCount);
        for (int i = 0; i < entryCount; i++)
        {
            int start = HeaderLength + reader.Position;
            string name = ReadEntry(ref reader).Name;
            records.Add(new ImageRecord(name, image[start..(HeaderLength + reader.Position)]));
        }

        return new ImageParts(image[..HeaderLength], records, image[^TrailerLength..]);
    }

    /// <summary>
    /// Joins stored pieces back into an image, checking the columns a database keeps beside them
    /// (the generation, each record's key name) against the bytes the MAC covers.
    /// </summary>
    /// <exception cref="KeyStoreDamagedException">A piece has the wrong length, or a column disagrees with its bytes.</exception>
    internal static byte[] Join(long generationColumn, byte[] header, IReadOnlyList<ImageRecord> records, byte[] trailer)
    {
        if (header.Length != HeaderLength || trailer.Length != TrailerLength)
        {
            throw Error.KeyStoreDamaged("the stored header or trailer has the wrong length");
        }

        if (generationColumn != HeaderGeneration(header))
        {
            throw Error.KeyStoreDamaged("the stored generation does not match the header");
        }

        long length = HeaderLength + TrailerLength + records.Sum(r => (long)r.Bytes.Length);
        if (length > MaxFileLength)
        {
            throw Error.KeyStoreDamaged("the stored entries are larger than a key store can be");
        }

        var image = new byte[length];
        header.CopyTo(image, 0);
        int offset = HeaderLength;
        foreach (var record in records)
        {
            CheckRecordName(record);
            record.Bytes.CopyTo(image, offset);
            offset += record.Bytes.Length;
        }

        trailer.CopyTo(image, offset);
        return image;
    }

    /// <summary>
    /// Reads the generation from a header. It runs before the checksum is checked (a database keeps
    /// the generation in a column of its own, compared with this), so any eight bytes can arrive here:
    /// a value no writer produces is damage, never an overflow.
    /// </summary>
    /// <exception cref="KeyStoreDamagedException">The generation is 0 or above 2^63 - 1.</exception>
    internal static long HeaderGeneration(ReadOnlySpan<byte> header) => CheckedGeneration(BinaryPrimitives.ReadUInt64LittleEndian(header[GenerationOffset..]));

    /// <summary>A generation as the writer makes them: 1 at Create, one more per commit, so 1 to 2^63 - 1 (a PostgreSQL bigint).</summary>
    private static long CheckedGeneration(ulong generation) => generation is >= 1 and <= long.MaxValue
        ? (long)generation
        : throw Error.KeyStoreGenerationOutOfRange(generation);

    private static void CheckRecordName(ImageRecord record)
    {
        var bytes = record.Bytes.AsSpan();
        if (bytes.Length < 1 || bytes[0] != record.Name.Length || bytes.Length < 1 + record.Name.Length
            || !System.Text.Encoding.ASCII.GetString(bytes.Slice(1, record.Name.Length)).Equals(record.Name, StringComparison.Ordinal))
        {
            throw Error.KeyStoreDamaged("a stored key name does not match its sealed record");
        }
    }
}

/// <summary>An image's pieces: see <see cref="KeyStoreFormat.Split"/>. <see cref="Trailer"/> is the MAC followed by the checksum.</summary>
internal sealed record ImageParts(byte[] Header, IReadOnlyList<ImageRecord> Records, byte[] Trailer)
{
    /// <summary>Gets the generation written in the header.</summary>
    internal long Generation => KeyStoreFormat.HeaderGeneration(Header);
}

/// <summary>One key name's record: the name as a database column, and the bytes the MAC covers.</summary>
internal sealed record ImageRecord(string Name, byte[] Bytes);
