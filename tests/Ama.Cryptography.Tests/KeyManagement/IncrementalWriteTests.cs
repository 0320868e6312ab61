using Ama.Cryptography.KeyManagement;
using static Ama.Cryptography.Tests.KeyManagement.KeyStoreTestSupport;

namespace Ama.Cryptography.Tests.KeyManagement;

/// <summary>
/// A write copies unchanged entries' bytes instead of encoding them again, writes into a buffer it keeps, and
/// tells an unchanged file by comparing it with the image it holds. None of that may let a change through:
/// an edit in place that keeps the trailer is still found, and a large store reads back exactly as written.
/// </summary>
public sealed class IncrementalWriteTests : IDisposable
{
    private readonly TempKeyStoreDirectory dir = new();
    private readonly byte[] key = RandomKey();

    public void Dispose() => dir.Dispose();

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void An_edit_in_place_that_keeps_the_trailer_is_found_by_the_next_write(bool afterOwnWrite)
    {
        using (var created = CreateWithKey(dir.File(), key))
        {
            created.Store("a", [1]);
            created.Store("b", [2]);
        }

        using var storage = OpenWithKey(dir.File(), key);
        if (afterOwnWrite)
        {
            storage.Store("c", [3]); // the image it holds is now its write buffer
        }

        EditInPlaceKeepingTrailer(dir.File());

        Assert.Throws<KeyStoreDamagedException>(() => storage.Store("d", [4]));
    }

    [Fact]
    public void Control_without_the_edit_the_same_write_succeeds()
    {
        using (var created = CreateWithKey(dir.File(), key))
        {
            created.Store("a", [1]);
        }

        using var storage = OpenWithKey(dir.File(), key);
        storage.Store("c", [3]);

        Assert.Equal(1, storage.Store("d", [4]));
    }

    [Fact]
    public void A_large_store_changed_at_the_start_middle_and_end_reads_back_as_written()
    {
        const int Count = 20_000;
        using (var created = CreateWithKey(dir.File(), key))
        using (var batch = created.BeginBatch())
        {
            for (int i = 0; i < Count; i++)
            {
                batch.Store(Name(i), ValueFor(Name(i)));
            }

            batch.Commit();
        }

        using (var storage = OpenWithKey(dir.File(), key))
        {
            storage.Store(Name(0), [0xA0]);
            storage.Delete(Name(Count / 2));
            storage.Store("new-" + Name(Count / 2), [0xA1]);
            using (var batch = storage.BeginBatch())
            {
                batch.Store(Name(Count - 1), [0xA2]);
                batch.DestroyVersion(Name(7), 1);
                batch.Store("zz-last", [0xA3]);
                batch.Commit();
            }
        }

        using var reopened = OpenWithKey(dir.File(), key);
        Assert.Equal(Count, reopened.ListKeys().Count); // one deleted, one destroyed, two new
        Assert.Equal([0xA0], RetrieveBytes(reopened, Name(0)));
        Assert.False(reopened.Contains(Name(Count / 2)));
        Assert.Equal([0xA1], RetrieveBytes(reopened, "new-" + Name(Count / 2)));
        Assert.Equal([0xA2], RetrieveBytes(reopened, Name(Count - 1)));
        Assert.False(reopened.Contains(Name(7)));
        Assert.Equal([0xA3], RetrieveBytes(reopened, "zz-last"));
        Assert.Equal(ValueFor(Name(1)), RetrieveBytes(reopened, Name(1)));
        Assert.Equal(ValueFor(Name(Count - 2)), RetrieveBytes(reopened, Name(Count - 2)));
        Assert.Equal(2, reopened.ListVersions(Name(0)).Count);
    }

    private static string Name(int i) => "key-" + i.ToString("D6", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Flips a byte of the first entry, in the same inode and with the same length and trailer, as a writer without the key might.</summary>
    private static void EditInPlaceKeepingTrailer(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.ReadWrite);
        const int InsideFirstEntry = KeyStoreFormat.HeaderLength + 3;
        stream.Position = InsideFirstEntry;
        int original = stream.ReadByte();
        stream.Position = InsideFirstEntry;
        stream.WriteByte((byte)(original ^ 0x01));
    }
}
