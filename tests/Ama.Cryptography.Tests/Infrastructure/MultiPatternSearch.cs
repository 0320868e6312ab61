using System.Buffers.Binary;
using System.IO.MemoryMappedFiles;

namespace Ama.Cryptography.Tests.Infrastructure;

/// <summary>
/// Finds every occurrence of many byte patterns (each at least 16 bytes) in a file in one pass, so a gigabyte
/// core file is searched for hundreds of key-equivalent values in seconds rather than once per value.
/// </summary>
public static class MultiPatternSearch
{
    public const int MinimumLength = 16;

    /// <summary>The file offsets of every occurrence of every pattern, by pattern index.</summary>
    public static unsafe List<long>[] FindAll(string path, IReadOnlyList<byte[]> patterns)
    {
        var found = new List<long>[patterns.Count];
        // A 2^24-bit filter on the first three bytes rejects almost every position with one load; the
        // few that pass are looked up by their first eight bytes and then compared whole.
        ulong[] filter = new ulong[1 << 18];
        var byHead = new Dictionary<ulong, List<int>>();
        for (int p = 0; p < patterns.Count; p++)
        {
            found[p] = [];
            Assert.True(patterns[p].Length >= MinimumLength, $"pattern {p} is shorter than {MinimumLength} bytes");
            uint prefix = (uint)(patterns[p][0] | (patterns[p][1] << 8) | (patterns[p][2] << 16));
            filter[prefix >> 6] |= 1UL << (int)(prefix & 63);
            ulong head = BinaryPrimitives.ReadUInt64LittleEndian(patterns[p]);
            if (!byHead.TryGetValue(head, out List<int>? list))
            {
                byHead[head] = list = [];
            }

            list.Add(p);
        }

        long length = new FileInfo(path).Length;
        if (length < MinimumLength)
        {
            return found;
        }

        using var file = MemoryMappedFile.CreateFromFile(path, FileMode.Open, null, 0, MemoryMappedFileAccess.Read);
        using MemoryMappedViewAccessor view = file.CreateViewAccessor(0, 0, MemoryMappedFileAccess.Read);
        byte* start = null;
        view.SafeMemoryMappedViewHandle.AcquirePointer(ref start);
        try
        {
            byte* data = start + view.PointerOffset;
            long last = length - MinimumLength;
            // Dumps are mostly zero pages; eight zero bytes mean the next six positions start with three zeros.
            bool zeroPrefixUsed = (filter[0] & 1) != 0;
            for (long i = 0; i <= last; i++)
            {
                if (!zeroPrefixUsed && *(ulong*)(data + i) == 0)
                {
                    i += 5;
                    continue;
                }

                uint prefix = *(uint*)(data + i) & 0xFFFFFF;
                if ((filter[prefix >> 6] & (1UL << (int)(prefix & 63))) == 0
                    || !byHead.TryGetValue(*(ulong*)(data + i), out List<int>? candidates))
                {
                    continue;
                }

                foreach (int p in candidates)
                {
                    byte[] pattern = patterns[p];
                    if (i + pattern.Length <= length && new ReadOnlySpan<byte>(data + i, pattern.Length).SequenceEqual(pattern))
                    {
                        found[p].Add(i);
                    }
                }
            }
        }
        finally
        {
            view.SafeMemoryMappedViewHandle.ReleasePointer();
        }

        return found;
    }
}
