using System.Buffers.Binary;
using Ama.Cryptography.KeyManagement;
using Ama.Cryptography.PostgreSql.Tests.Infrastructure;
using Ama.Cryptography.Tests.Infrastructure;
using Npgsql;

namespace Ama.Cryptography.PostgreSql.Tests;

/// <summary>
/// The rows fuzzed as the file is (Ama.Cryptography.Tests' HostileInputTests and TamperTests): a
/// forged generation at its extremes in the column and in the header, every length and count field
/// of the header and of a record at its extremes, and random edits of every column, each with and
/// without the checksum recomputed. Whatever the bytes, an open instance (Refresh) and a new one
/// (Open) get <see cref="KeyStoreDamagedException"/> (or <see cref="KeyStoreCredentialException"/>
/// where an edit changes which key the header asks for), never another exception, and never keys.
/// </summary>
public sealed class AttackHostileRowsTests(PostgresServer server)
{
    private const ulong TwoTo63 = 1UL << 63;

    public static TheoryData<string, long?, ulong?, bool> ForgedGenerations => new()
    {
        // what, generation column (null: unchanged), header generation (null: unchanged), checksum recomputed
        { "header 2^63", null, TwoTo63, false },
        { "header 2^63, checksum fixed", null, TwoTo63, true },
        { "header 2^64-1", null, ulong.MaxValue, false },
        { "header 2^64-1, checksum fixed", null, ulong.MaxValue, true },
        { "column and header 2^63 (the same 64 bits)", long.MinValue, TwoTo63, true },
        { "column and header 2^64-1 (the same 64 bits)", -1, ulong.MaxValue, true },
        { "column 2^63 (bigint minimum)", long.MinValue, null, false },
        { "column 2^64-1 (bigint -1)", -1, null, false },
        { "column 2^63-1", long.MaxValue, null, false },
        { "column and header 2^63-1", long.MaxValue, long.MaxValue, true },
        { "column and header 0", 0, 0, true },
    };

    /// <summary>Length and count fields at their extremes: the checksum is always recomputed, so the parser behind it is what answers.</summary>
    public static TheoryData<string, string, int, int, ulong> ExtremeFields => new()
    {
        // what, column ("header" or a key name's record), offset, size in bytes, value
        { "format version 0", "header", 8, 2, 0 },
        { "format version 65535", "header", 8, 2, ushort.MaxValue },
        { "header length 0", "header", 10, 2, 0 },
        { "header length 65535", "header", 10, 2, ushort.MaxValue },
        { "KDF id 255", "header", 36, 1, byte.MaxValue },
        { "KDF memory 2^32-1", "header", 40, 4, uint.MaxValue },
        { "KDF iterations 2^32-1", "header", 44, 4, uint.MaxValue },
        { "KDF lanes 2^32-1", "header", 48, 4, uint.MaxValue },
        { "encryptions 2^64-1", "header", 100, 8, ulong.MaxValue },
        { "entry count 0", "header", 168, 4, 0 },
        { "entry count 2^31-1", "header", 168, 4, int.MaxValue },
        { "entry count 2^32-1", "header", 168, 4, uint.MaxValue },
        { "name length 0", "alpha", 0, 1, 0 },
        { "name length 255", "alpha", 0, 1, byte.MaxValue },
        { "next version 0", "alpha", 6, 4, 0 },
        { "next version 2^31", "alpha", 6, 4, 1UL << 31 },
        { "next version 2^32-1", "alpha", 6, 4, uint.MaxValue },
        { "version count 0", "alpha", 10, 2, 0 },
        { "version count 65535", "alpha", 10, 2, ushort.MaxValue },
        { "version 0", "alpha", 12, 4, 0 },
        { "version 2^31", "alpha", 12, 4, 1UL << 31 },
        { "version 2^32-1", "alpha", 12, 4, uint.MaxValue },
        { "created -1", "alpha", 16, 8, ulong.MaxValue },
        { "created 2^63-1", "alpha", 16, 8, long.MaxValue },
        { "metadata count 65535", "alpha", 24, 2, ushort.MaxValue },
        { "metadata key length 0", "alpha", 26, 2, 0 },
        { "metadata key length 65535", "alpha", 26, 2, ushort.MaxValue },
        { "metadata value length 65535", "alpha", 29, 2, ushort.MaxValue },
        { "key length 0", "alpha", 32, 4, 0 },
        { "key length 1 MiB + 1", "alpha", 32, 4, (1 << 20) + 1 },
        { "key length 2^32-1", "alpha", 32, 4, uint.MaxValue },
        { "last record's key length 2^32-1", "gamma", 26, 4, uint.MaxValue },
    };

    [Theory]
    [MemberData(nameof(ForgedGenerations))]
    public void A_forged_generation_is_damage_for_refresh_and_open_never_an_overflow(string what, long? column, ulong? header, bool fixChecksum)
    {
        using var store = HostileStore.Create(server);
        var edited = store.Original.Clone();
        if (column is { } c)
        {
            edited.Generation = c;
        }

        if (header is { } h)
        {
            BinaryPrimitives.WriteUInt64LittleEndian(edited.Header.AsSpan(28), h);
        }

        if (fixChecksum)
        {
            edited.FixChecksum();
        }

        store.AssertRefused(edited, what, allowCredential: false);
    }

    [Theory]
    [MemberData(nameof(ExtremeFields))]
    public void A_length_or_count_field_at_its_extreme_is_damage(string what, string column, int offset, int size, ulong value)
    {
        using var store = HostileStore.Create(server);
        var edited = store.Original.Clone();
        byte[] target = column == "header" ? edited.Header : edited.Record(column);
        if (column != "header")
        {
            // The offsets are those of HostileStore's records: check the field is where the test thinks.
            Assert.Equal(column.Length, edited.Record(column)[0]);
        }

        Span<byte> field = target.AsSpan(offset, size);
        Span<byte> bytes = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, value);
        Assert.False(field.SequenceEqual(bytes[..size]), $"{what}: the field already holds that value");
        bytes[..size].CopyTo(field);
        store.AssertRefused(edited.FixChecksum(), what, allowCredential: false);
    }

    [Fact]
    public void Random_edits_of_every_column_give_only_the_documented_exceptions()
    {
        int iterations = int.TryParse(Environment.GetEnvironmentVariable("AMA_FUZZ_ITERATIONS"), out int n) ? Math.Max(1, n / 10) : 300;
        int seed = Environment.TickCount;
        var random = new Random(seed);
        using var store = HostileStore.Create(server);
        var outcomes = new Dictionary<string, int>();
        for (int i = 0; i < iterations; i++)
        {
            var edited = store.Original.Clone();
            string column = Mutate(edited, random);
            if (random.Next(2) == 0)
            {
                edited.FixChecksum();
            }

            var (refreshed, opened) = store.Outcome(edited);
            string outcome = $"{column}: Refresh {refreshed}, Open {opened}";
            outcomes[outcome] = outcomes.GetValueOrDefault(outcome) + 1;
        }

        string summary = $"seed {seed}: " + string.Join("; ", outcomes.OrderBy(o => o.Key, StringComparer.Ordinal).Select(o => $"{o.Key} x{o.Value}"));
        string[] allowed = ["Refresh damaged, Open damaged", "Refresh damaged, Open credential", "Refresh credential, Open credential", "Refresh unchanged, Open unchanged"];
        Assert.True(outcomes.Keys.All(o => allowed.Any(a => o.EndsWith(": " + a, StringComparison.Ordinal))), summary);
        Assert.True(outcomes.Where(o => o.Key.EndsWith("Open damaged", StringComparison.Ordinal)).Sum(o => o.Value) > iterations / 2, summary);
    }

    /// <summary>Edits one column of the rows at random, the way HostileInputTests edits a file; returns the column's name.</summary>
    private static string Mutate(StoreRows rows, Random random)
    {
        switch (random.Next(6))
        {
            case 0:
                rows.Generation = random.Next(6) switch
                {
                    0 => long.MinValue,
                    1 => -1,
                    2 => 0,
                    3 => long.MaxValue,
                    4 => rows.Generation + random.Next(-2, 3),
                    _ => random.NextInt64(long.MinValue, long.MaxValue),
                };
                return "generation";
            case 1:
                rows.Header = ByteMutator.Mutate(rows.Header, random);
                return "header";
            case 2:
                rows.Mac = ByteMutator.Mutate(rows.Mac, random);
                return "mac";
            case 3:
            case 4:
                int index = random.Next(rows.Entries.Count);
                rows.Entries[index] = (rows.Entries[index].Name, ByteMutator.Mutate(rows.Entries[index].Record, random));
                return "record";
            default:
                int which = random.Next(rows.Entries.Count);
                string[] names = ["", "a", "alpha ", "al ha", "alphé", "ALPHA", "alpha.", new('z', 129), new('b', 300), "delta", "beta"];
                string name = names[random.Next(names.Length)];
                if (rows.Entries.Any(e => e.Name == name))
                {
                    return "key_name (no edit)";
                }

                rows.Entries[which] = (name, rows.Entries[which].Record);
                rows.Entries.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));
                return "key_name";
        }
    }

    /// <summary>
    /// A store in a schema of its own: alpha in two versions (the first with metadata m=v, so its
    /// record's fields sit at known offsets), beta, and gamma with empty key material.
    /// </summary>
    private sealed class HostileStore : IDisposable
    {
        private readonly PostgresServer server;
        private readonly TestSchema schema;
        private readonly NpgsqlDataSource dataSource;
        private readonly KeyStoreCredential credential;
        private readonly PostgreSqlKeyStoreOptions options;
        private readonly string name = TestStores.NewName();

        private HostileStore(PostgresServer server)
        {
            this.server = server;
            schema = server.CreateSchema();
            dataSource = server.CreateDataSource();
            credential = TestStores.Credential(TestStores.NewKey());
            options = new PostgreSqlKeyStoreOptions { Schema = schema.Name };
            using (var writer = PostgreSqlKeyStorage.Create(dataSource, name, credential, options))
            {
                writer.Store("alpha", "alpha-1"u8, new Dictionary<string, string> { ["m"] = "v" });
                writer.Store("alpha", "alpha-2"u8);
                writer.Store("beta", "beta-1"u8);
                writer.Store("gamma", []);
            }

            Original = StoreRows.Read(server, schema.Name, name);
        }

        public StoreRows Original { get; }

        public static HostileStore Create(PostgresServer server) => new(server);

        /// <summary>
        /// The edit, seen by an instance opened on the untouched rows (its Refresh) and by a new
        /// Open; each must be refused with damage (or, when <paramref name="allowCredential"/>, a
        /// credential error). The untouched rows are put back afterwards.
        /// </summary>
        public void AssertRefused(StoreRows edited, string what, bool allowCredential)
        {
            using var reader = Open();
            CheckReads(reader);
            try
            {
                edited.Write(server, schema.Name, name);
                Exception? refreshed = Record.Exception(reader.Refresh);
                Assert.True(IsRefusal(refreshed, allowCredential), $"{what}: Refresh threw {Describe(refreshed)}");

                // Having found the damage, the instance refuses to write, and changes no row trying.
                Exception? stored = Record.Exception(() => reader.Store("delta", [1]));
                Assert.True(stored is KeyStoreDamagedException, $"{what}: Store after the damage threw {Describe(stored)}");
                Assert.Equal(edited.Image, StoreRows.Read(server, schema.Name, name).Image);
                Exception? opened = Record.Exception(() => Open().Dispose());
                Assert.True(IsRefusal(opened, allowCredential), $"{what}: Open threw {Describe(opened)}");
            }
            finally
            {
                Original.Write(server, schema.Name, name);
            }
        }

        /// <summary>What Refresh and Open each make of the edit: "damaged", "credential", "unchanged" (no error, and the rows are the original), or what else happened.</summary>
        public (string Refreshed, string Opened) Outcome(StoreRows edited)
        {
            bool unchanged = edited.Generation == Original.Generation
                && edited.Image.AsSpan().SequenceEqual(Original.Image)
                && edited.Entries.Select(e => e.Name).SequenceEqual(Original.Entries.Select(e => e.Name));
            using var reader = Open();
            try
            {
                edited.Write(server, schema.Name, name);
                return (Classify(Record.Exception(reader.Refresh), unchanged), Classify(Record.Exception(() => Open().Dispose()), unchanged));
            }
            finally
            {
                Original.Write(server, schema.Name, name);
            }
        }

        public void Dispose()
        {
            credential.Dispose();
            dataSource.Dispose();
            schema.Dispose();
        }

        private static bool IsRefusal(Exception? e, bool allowCredential) =>
            e is KeyStoreDamagedException || (allowCredential && e is KeyStoreCredentialException);

        private static string Describe(Exception? e) => e is null ? "nothing" : $"{e.GetType().Name}: {e.Message}";

        private static string Classify(Exception? e, bool unchanged) => e switch
        {
            null => unchanged ? "unchanged" : "accepted an edit",
            KeyStoreDamagedException => "damaged",
            KeyStoreCredentialException => "credential",
            _ => e.GetType().Name + " " + e.Message,
        };

        private static void CheckReads(SecureKeyStorage storage)
        {
            using (var alpha = storage.Retrieve("alpha", 1))
            {
                Assert.Equal("alpha-1"u8.ToArray(), alpha.Span.ToArray());
            }

            Assert.Equal(["alpha", "beta", "gamma"], storage.ListKeys());
        }

        private SecureKeyStorage Open() => PostgreSqlKeyStorage.Open(dataSource, name, credential, options);
    }
}
