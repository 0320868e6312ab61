using System.Globalization;
using System.Text;
using Ama.Cryptography.KeyManagement;
using static Ama.Cryptography.Tests.KeyManagement.KeyStoreTestSupport;

namespace Ama.Cryptography.Tests.KeyManagement;

/// <summary>
/// A store must never be written in a form its reader rejects: whatever the writer accepts, a
/// fresh Open reads back exactly, and whatever it cannot write back, it refuses before writing.
/// </summary>
public sealed class WriterReaderAgreementTests : IDisposable
{
    private readonly TempKeyStoreDirectory dir = new();
    private readonly byte[] key = RandomKey();

    public void Dispose() => dir.Dispose();

    [Fact]
    public void Metadata_with_ordinal_duplicate_keys_is_refused_before_anything_is_written()
    {
        // Two distinct string instances with one value: a reference-equality dictionary holds both.
        var metadata = new Dictionary<string, string>(ReferenceEqualityComparer.Instance)
        {
            [new string('k', 3)] = "first-secret",
            [new string('k', 3)] = "second-secret",
        };
        Assert.Equal(2, metadata.Count);
        using var storage = CreateWithKey(dir.File(), key);
        storage.Store("before", [1]);
        byte[] fileBefore = File.ReadAllBytes(dir.File());

        var error = Assert.Throws<ArgumentException>(() => storage.Store("k", [2], metadata));

        Assert.Equal("metadata", error.ParamName);
        Assert.Contains("'kkk'", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("secret", error.Message, StringComparison.Ordinal);
        Assert.Equal(fileBefore, File.ReadAllBytes(dir.File()));
        using var reopened = OpenWithKey(dir.File(), key);
        Assert.Equal(["before"], reopened.ListKeys());
    }

    [Fact]
    public void Ordinal_duplicates_are_refused_in_a_batch_and_in_memory_too()
    {
        var metadata = new Dictionary<string, string>(ReferenceEqualityComparer.Instance)
        {
            [new string('a', 1)] = "1",
            [new string('a', 1)] = "2",
        };
        using var storage = new SecureKeyStorage(RandomKey());
        using var batch = storage.BeginBatch();
        Assert.Throws<ArgumentException>(() => batch.Store("k", [1], metadata));
        Assert.Equal(0, batch.Count);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public void Everything_the_writer_accepts_reads_back_exactly(int seed)
    {
        var random = new Random(seed);
        var model = new StoreModel();
        using var storage = CreateWithKey(dir.File(), key);
        for (int step = 0; step < 40; step++)
        {
            RunRandomBatch(storage, model, random);
            using var reopened = OpenWithKey(dir.File(), key);
            AssertMatches(model, storage, reopened, $"seed {seed}, step {step}");
            Assert.Equal(new FileInfo(dir.File()).Length, KeyStoreFormat.SerializedLength(storage.StateForTests));
        }
    }

    [Fact]
    public void A_writer_refusal_leaves_the_file_and_the_live_state_unchanged()
    {
        using var storage = CreateWithKey(dir.File(), key);
        storage.Store("a", [1]);
        byte[] fileBefore = File.ReadAllBytes(dir.File());
        var unpaired = new Dictionary<string, string> { ["k"] = "\uD800" };
        var tooLong = new Dictionary<string, string> { ["k"] = new string('x', 4097) };

        Assert.Throws<ArgumentException>(() => storage.Store("b", [2], unpaired));
        Assert.Throws<ArgumentException>(() => storage.Store("b", [2], tooLong));

        Assert.Equal(fileBefore, File.ReadAllBytes(dir.File()));
        Assert.Equal(["a"], storage.ListKeys());
    }

    [Fact]
    public void A_store_larger_than_the_reader_accepts_is_never_written()
    {
        using var storage = CreateWithKey(dir.File(), key);
        storage.Store("small", [1]);
        byte[] fileBefore = File.ReadAllBytes(dir.File());

        // 257 versions of 1 MiB, sharing one sealed array: the serializer must refuse them before it allocates the file.
        var state = storage.StateForTests.Draft();
        var entry = new KeyEntry("big") { NextVersion = 258 };
        byte[] sealedBytes = new byte[12 + KeyStoreFormat.MaxKeyMaterialLength + 16];
        for (int v = 1; v <= 257; v++)
        {
            entry.Versions.Add(new SealedVersion { Version = v, CreatedUnixMs = 0, Metadata = [], Length = KeyStoreFormat.MaxKeyMaterialLength, Sealed = sealedBytes });
        }

        state.Entries.Set(entry);
        Assert.True(KeyStoreFormat.SerializedLength(state) > KeyStoreFormat.MaxFileLength);
        Assert.Throws<KeyStoreException>(() => KeyStoreFormat.Serialize(state, new byte[32]));

        state.Entries.Remove("big");
        Assert.Equal(fileBefore.Length, KeyStoreFormat.SerializedLength(state));
    }

    private static void RunRandomBatch(SecureKeyStorage storage, StoreModel model, Random random)
    {
        var draft = model.Copy();
        using var batch = storage.BeginBatch();
        int changes = random.Next(1, 6);
        for (int i = 0; i < changes; i++)
        {
            string name = RandomName(random, draft);
            switch (random.Next(10))
            {
                case < 6:
                    byte[] material = RandomMaterial(random);
                    var metadata = RandomMetadata(random);
                    if (HasOrdinalDuplicates(metadata))
                    {
                        Assert.Throws<ArgumentException>(() => batch.Store(name, material, metadata));
                        break;
                    }

                    batch.Store(name, material, metadata);
                    draft.Store(name, material, metadata);
                    break;
                case < 8:
                    batch.Delete(name);
                    draft.Entries.Remove(name);
                    break;
                default:
                    int version = draft.Entries.TryGetValue(name, out var versions) && versions.Count > 0
                        ? versions[random.Next(versions.Count)].Version
                        : random.Next(1, 4);
                    batch.DestroyVersion(name, version);
                    draft.Destroy(name, version);
                    break;
            }
        }

        batch.Commit();
        model.Entries = draft.Entries;
        model.NextVersion = draft.NextVersion;
    }

    private static void AssertMatches(StoreModel model, SecureKeyStorage live, SecureKeyStorage reopened, string where)
    {
        Assert.True(model.Entries.Keys.Order(StringComparer.Ordinal).SequenceEqual(reopened.ListKeys()), where);
        Assert.Equal(live.Generation, reopened.Generation);
        foreach (var (name, versions) in model.Entries)
        {
            var liveInfos = live.ListVersions(name);
            var readInfos = reopened.ListVersions(name);
            Assert.Equal(versions.Select(v => v.Version), readInfos.Select(v => v.Version));
            for (int i = 0; i < versions.Count; i++)
            {
                var expected = versions[i];
                var read = readInfos[i];
                Assert.Equal(liveInfos[i].Created, read.Created);
                Assert.Equal(i == versions.Count - 1, read.IsPrimary);
                Assert.Equal(expected.Metadata.OrderBy(p => p.Key, StringComparer.Ordinal), read.Metadata.OrderBy(p => p.Key, StringComparer.Ordinal));
                using var material = reopened.Retrieve(name, expected.Version);
                Assert.True(material.Span.SequenceEqual(expected.Material), $"{where}: {name} v{expected.Version}");
            }
        }
    }

    private static readonly string[] EdgeNames =
        [".", "-", "_", "..", "a", "Z9", "a.b-c_d", new string('n', 128), new string('.', 128), "0"];

    private static string RandomName(Random random, StoreModel model) =>
        model.Entries.Count > 0 && random.Next(3) == 0
            ? model.Entries.Keys.ElementAt(random.Next(model.Entries.Count))
            : EdgeNames[random.Next(EdgeNames.Length)];

    private static byte[] RandomMaterial(Random random)
    {
        int length = random.Next(4) switch
        {
            0 => 0,
            1 => random.Next(1, 64),
            2 => 32,
            _ => random.Next(64, 4096),
        };
        var bytes = new byte[length];
        random.NextBytes(bytes);
        return bytes;
    }

    /// <summary>Text elements the UTF-8 writer and reader could disagree on: NUL, BOM, U+FFFF, U+FFFD, line breaks, combining marks, right-to-left, astral pairs.</summary>
    private static readonly string[] EdgeTextElements =
        ["\0", "\uFEFF", "\uFFFF", "\uFFFD", "\r\n", "\u0085", "\u2028", "e\u0301", "\u05D0", "\uD83D\uDD11", "\U0010FFFF", "a", "Z", " ", "é", "\u00A0", "\uFFFE"];

    private static Dictionary<string, string>? RandomMetadata(Random random)
    {
        if (random.Next(4) == 0)
        {
            return null;
        }

        int pairs = random.Next(8) == 0 ? KeyMetadata.MaxPairs : random.Next(0, 5);
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        while (metadata.Count < pairs)
        {
            string metadataKey = RandomText(random, 1, random.Next(6) == 0 ? KeyMetadata.MaxKeyLength : 12);
            metadata[metadataKey] = RandomText(random, 0, random.Next(10) == 0 ? KeyMetadata.MaxValueLength : 40);
        }

        return random.Next(5) == 0 ? WithReferenceEqualityKeys(metadata, random) : metadata;
    }

    /// <summary>The same pairs in a dictionary that compares keys by reference, sometimes with a second, equal key instance.</summary>
    private static Dictionary<string, string> WithReferenceEqualityKeys(Dictionary<string, string> metadata, Random random)
    {
        var copy = new Dictionary<string, string>(ReferenceEqualityComparer.Instance);
        foreach (var (metadataKey, value) in metadata)
        {
            copy[metadataKey] = value;
            if (random.Next(2) == 0)
            {
                copy[new string(metadataKey.AsSpan())] = value + "'";
            }
        }

        return copy;
    }

    private static bool HasOrdinalDuplicates(Dictionary<string, string>? metadata) =>
        metadata is not null && metadata.Keys.Distinct(StringComparer.Ordinal).Count() != metadata.Count;

    /// <summary>Valid UTF-16 of <paramref name="min"/> to <paramref name="max"/> chars; a surrogate pair is never split at the limit.</summary>
    private static string RandomText(Random random, int min, int max)
    {
        int target = random.Next(min, max + 1);
        var text = new StringBuilder(target);
        while (text.Length < target)
        {
            string element = EdgeTextElements[random.Next(EdgeTextElements.Length)];
            if (text.Length + element.Length > max)
            {
                element = "x";
            }

            text.Append(element);
        }

        return text.ToString();
    }

    private sealed record ModelVersion(int Version, byte[] Material, IReadOnlyDictionary<string, string> Metadata);

    private sealed class StoreModel
    {
        internal Dictionary<string, List<ModelVersion>> Entries { get; set; } = new(StringComparer.Ordinal);

        internal Dictionary<string, int> NextVersion { get; set; } = new(StringComparer.Ordinal);

        internal StoreModel Copy() => new()
        {
            Entries = Entries.ToDictionary(p => p.Key, p => p.Value.ToList(), StringComparer.Ordinal),
            NextVersion = new Dictionary<string, int>(NextVersion, StringComparer.Ordinal),
        };

        internal void Store(string name, byte[] material, IReadOnlyDictionary<string, string>? metadata)
        {
            if (!Entries.TryGetValue(name, out var versions))
            {
                versions = [];
                Entries[name] = versions;
                NextVersion[name] = 1; // a removed name starts again at version 1
            }

            int version = NextVersion[name];
            NextVersion[name] = version + 1;
            versions.Add(new ModelVersion(version, material, metadata ?? new Dictionary<string, string>()));
        }

        internal void Destroy(string name, int version)
        {
            if (Entries.TryGetValue(name, out var versions) && versions.RemoveAll(v => v.Version == version) > 0 && versions.Count == 0)
            {
                Entries.Remove(name);
            }
        }
    }
}
