using System.Buffers.Binary;
using Ama.Cryptography.KeyManagement;
using Ama.Cryptography.PostgreSql.Tests.Infrastructure;
using Npgsql;

namespace Ama.Cryptography.PostgreSql.Tests;

/// <summary>
/// A store's MAC binds its schema and store name (format version 2), so a whole store substituted by
/// a role that may write the tables but has no key is refused, although every store here shares one
/// credential: swapped with another store name, copied from another schema, copied or renamed to a
/// new name or schema, or carried between a file and the rows. A fresh Open refuses it, and so does
/// every open instance, which then writes nothing. An older image of the store itself is refused by
/// every instance that saw a newer one (a fresh Open cannot know it). Rows an older release wrote
/// (format version 1, <see cref="FormatVersion1Rows"/>) still open, and their next write binds them.
/// </summary>
public sealed class StoreIdentityTests(PostgresServer server)
{
    [Fact]
    public void Two_stores_swapped_between_their_names_are_damage_for_a_fresh_open()
    {
        using var stores = new SharedCredentialStores(server);
        string schema = stores.NewSchema();
        var (a, b) = stores.TwoStores(schema);
        Swap(schema, a, b);

        foreach (string name in new[] { a, b })
        {
            var e = Assert.Throws<KeyStoreDamagedException>(() => stores.Open(schema, name).Dispose());
            Assert.Contains($"store name '{name}'", e.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Two_stores_swapped_between_their_names_are_damage_for_every_open_instance_which_then_writes_nothing()
    {
        using var stores = new SharedCredentialStores(server);
        string schema = stores.NewSchema();
        var (a, b) = stores.TwoStores(schema);
        using var readerA = stores.Open(schema, a);
        using var readerB = stores.Open(schema, b);
        using var writerA = stores.Open(schema, a);
        using var writerB = stores.Open(schema, b);
        var swapped = Swap(schema, a, b);

        Assert.Throws<KeyStoreDamagedException>(readerA.Refresh);
        Assert.Throws<KeyStoreDamagedException>(readerB.Refresh);
        Assert.Throws<KeyStoreDamagedException>(() => writerA.Store("more", [1]));
        Assert.Throws<KeyStoreDamagedException>(() => writerB.Store("more", [1]));
        foreach (var instance in new[] { readerA, readerB, writerA, writerB })
        {
            Assert.Throws<KeyStoreDamagedException>(() => instance.Store("more", [1]));
            Assert.Throws<KeyStoreDamagedException>(instance.RotateDataKey);
        }

        Assert.Equal(swapped[a], StoreRows.Read(server, schema, a).Image);
        Assert.Equal(swapped[b], StoreRows.Read(server, schema, b).Image);
    }

    [Fact]
    public void A_store_copied_over_the_same_name_in_another_schema_is_damage_for_a_fresh_open()
    {
        using var stores = new SharedCredentialStores(server);
        string staging = stores.NewSchema();
        string production = stores.NewSchema();
        string name = TestStores.NewName();
        stores.Create(staging, name, "staging-key", commits: 3);
        stores.Create(production, name, "production-key", commits: 1);
        StoreRows.Read(server, staging, name).Write(server, production, name);

        var e = Assert.Throws<KeyStoreDamagedException>(() => stores.Open(production, name).Dispose());
        Assert.Contains($"schema '{production}'", e.Message, StringComparison.Ordinal);

        // Control: the copied store still opens where it was written.
        using var original = stores.Open(staging, name);
        Assert.Equal(["staging-key"], original.ListKeys());
    }

    [Fact]
    public void A_store_copied_over_the_same_name_in_another_schema_is_damage_for_every_open_instance()
    {
        using var stores = new SharedCredentialStores(server);
        string staging = stores.NewSchema();
        string production = stores.NewSchema();
        string name = TestStores.NewName();
        stores.Create(staging, name, "staging-key", commits: 3);
        stores.Create(production, name, "production-key", commits: 1);
        using var reader = stores.Open(production, name);
        using var writer = stores.Open(production, name);
        var copy = StoreRows.Read(server, staging, name);
        copy.Write(server, production, name);

        Assert.Throws<KeyStoreDamagedException>(reader.Refresh);
        Assert.Throws<KeyStoreDamagedException>(() => writer.Store("more", [1]));
        Assert.Throws<KeyStoreDamagedException>(() => reader.Store("more", [1]));
        Assert.Equal(copy.Image, StoreRows.Read(server, production, name).Image);
    }

    [Fact]
    public void A_store_copied_to_a_new_name_or_a_new_schema_does_not_open_there()
    {
        using var stores = new SharedCredentialStores(server);
        string schema = stores.NewSchema();
        string elsewhere = stores.NewSchema();
        string name = TestStores.NewName();
        stores.Create(schema, name, "k", commits: 2);
        var rows = StoreRows.Read(server, schema, name);
        string renamed = TestStores.NewName();
        rows.Write(server, schema, renamed);
        rows.Write(server, elsewhere, name);

        Assert.Throws<KeyStoreDamagedException>(() => stores.Open(schema, renamed).Dispose());
        Assert.Throws<KeyStoreDamagedException>(() => stores.Open(elsewhere, name).Dispose());
        using var original = stores.Open(schema, name);
        Assert.Equal(["k"], original.ListKeys());
    }

    [Fact]
    public void A_schema_renamed_with_alter_schema_no_longer_opens_under_its_new_name()
    {
        using var stores = new SharedCredentialStores(server);
        string schema = stores.NewSchema();
        string name = TestStores.NewName();
        stores.Create(schema, name, "k", commits: 1);
        string renamed = schema + "_renamed";
        server.Execute($"ALTER SCHEMA {schema} RENAME TO {renamed}");
        try
        {
            var e = Assert.Throws<KeyStoreDamagedException>(() => stores.Open(renamed, name).Dispose());
            Assert.Contains($"schema '{renamed}'", e.Message, StringComparison.Ordinal);
        }
        finally
        {
            server.Execute($"ALTER SCHEMA {renamed} RENAME TO {schema}");
        }

        // Control: under the name it was created in, it opens.
        using var original = stores.Open(schema, name);
        Assert.Equal(["k"], original.ListKeys());
    }

    [Fact]
    public void An_older_image_of_the_store_itself_is_damage_for_every_instance_that_saw_a_newer_one_but_not_for_a_fresh_open()
    {
        using var stores = new SharedCredentialStores(server);
        string schema = stores.NewSchema();
        string name = TestStores.NewName();
        stores.Create(schema, name, "k", commits: 1);
        var older = StoreRows.Read(server, schema, name);
        using var writer = stores.Open(schema, name);
        writer.Store("later", [2]);
        using var reader = stores.Open(schema, name);
        older.Write(server, schema, name);

        Assert.Throws<KeyStoreDamagedException>(reader.Refresh);
        Assert.Throws<KeyStoreDamagedException>(() => writer.Store("more", [3]));
        Assert.Throws<KeyStoreDamagedException>(() => reader.Store("more", [3]));
        Assert.Equal(older.Image, StoreRows.Read(server, schema, name).Image);

        // The documented limit: a process that never saw the newer generation accepts the older one.
        using var fresh = stores.Open(schema, name);
        Assert.Equal(["k"], fresh.ListKeys());
    }

    [Fact]
    public void A_file_written_into_the_rows_does_not_open_and_rows_written_to_a_file_do_not_open()
    {
        using var stores = new SharedCredentialStores(server);
        string schema = stores.NewSchema();
        string name = TestStores.NewName();
        stores.Create(schema, name, "k", commits: 1);
        string directory = Directory.CreateTempSubdirectory("ama-pg-identity-").FullName;
        try
        {
            string file = Path.Combine(directory, "store.amaks");
            using (var fileStore = SecureKeyStorage.Create(file, stores.Credential))
            {
                fileStore.Store("from-file", [1]);
            }

            // Control: each opens where it was written.
            SecureKeyStorage.Open(file, stores.Credential).Dispose();
            stores.Open(schema, name).Dispose();

            byte[] rowsImage = StoreRows.Read(server, schema, name).Image;
            var parts = KeyStoreFormat.Split(File.ReadAllBytes(file));
            string fromFile = TestStores.NewName();
            RowsOf(parts).Write(server, schema, fromFile);
            Assert.Throws<KeyStoreDamagedException>(() => stores.Open(schema, fromFile).Dispose());

            File.WriteAllBytes(file, rowsImage);
            Assert.Throws<KeyStoreDamagedException>(() => SecureKeyStorage.Open(file, stores.Credential).Dispose());
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public void Rows_an_older_release_wrote_open_anywhere_until_the_next_write_binds_them()
    {
        using var stores = new SharedCredentialStores(server, FormatVersion1Rows.RawKey);
        string schema = stores.NewSchema();
        string name = TestStores.NewName();
        var fixture = OlderReleaseRows();
        fixture.Write(server, schema, name);
        Assert.Equal(1, FormatVersionOf(StoreRows.Read(server, schema, name)));

        using (var opened = stores.Open(schema, name))
        {
            Assert.Equal(FormatVersion1Rows.Generation, opened.Generation);
            AssertFixtureContent(opened);
            opened.Refresh();
        }

        // Reading changed nothing, and the unbound rows open under any name: the limit of format 1.
        Assert.Equal(fixture.Image, StoreRows.Read(server, schema, name).Image);
        string copy = TestStores.NewName();
        fixture.Write(server, schema, copy);
        stores.Open(schema, copy).Dispose();

        using var bystander = stores.Open(schema, name);
        using (var writer = stores.Open(schema, name))
        {
            writer.Store("delta", "delta-1"u8);
        }

        var migrated = StoreRows.Read(server, schema, name);
        Assert.Equal(2, FormatVersionOf(migrated));
        Assert.Equal(FormatVersion1Rows.Generation + 1, migrated.Generation);
        using (var reopened = stores.Open(schema, name))
        {
            AssertFixtureContent(reopened);
            Assert.Equal("delta-1"u8.ToArray(), Value(reopened, "delta"));
        }

        // An instance open on the format 1 rows follows the migration like any commit.
        bystander.Refresh();
        Assert.Equal("delta-1"u8.ToArray(), Value(bystander, "delta"));

        // Once written, the rows are bound: a copy under another name no longer opens.
        string boundCopy = TestStores.NewName();
        migrated.Write(server, schema, boundCopy);
        Assert.Throws<KeyStoreDamagedException>(() => stores.Open(schema, boundCopy).Dispose());
    }

    [Fact]
    public void Rows_an_older_release_wrote_are_bound_by_a_data_key_rotation_too()
    {
        using var stores = new SharedCredentialStores(server, FormatVersion1Rows.RawKey);
        string schema = stores.NewSchema();
        string name = TestStores.NewName();
        OlderReleaseRows().Write(server, schema, name);
        using (var writer = stores.Open(schema, name))
        {
            writer.RotateDataKey();
        }

        var migrated = StoreRows.Read(server, schema, name);
        Assert.Equal(2, FormatVersionOf(migrated));
        using (var reopened = stores.Open(schema, name))
        {
            AssertFixtureContent(reopened);
        }

        string copy = TestStores.NewName();
        migrated.Write(server, schema, copy);
        Assert.Throws<KeyStoreDamagedException>(() => stores.Open(schema, copy).Dispose());
    }

    private static StoreRows OlderReleaseRows() =>
        StoreRows.Of(FormatVersion1Rows.Generation, FormatVersion1Rows.Header, [.. FormatVersion1Rows.Entries], FormatVersion1Rows.Mac);

    /// <summary>The rows a store would have for an image cut into its pieces; the generation column is the header's.</summary>
    private static StoreRows RowsOf(ImageParts parts) =>
        StoreRows.Of(BinaryPrimitives.ReadInt64LittleEndian(parts.Header.AsSpan(28)), parts.Header, [.. parts.Records.Select(r => (r.Name, r.Bytes))], parts.Trailer);

    private static int FormatVersionOf(StoreRows rows) => BinaryPrimitives.ReadUInt16LittleEndian(rows.Header.AsSpan(8));

    private static void AssertFixtureContent(SecureKeyStorage storage)
    {
        using (var first = storage.Retrieve("alpha", 1))
        {
            Assert.Equal("alpha-1"u8.ToArray(), first.Span.ToArray());
        }

        var metadata = storage.ListVersions("alpha")[0].Metadata;
        Assert.Equal("fixture", metadata["purpose"]);
        Assert.Equal("ünïcode", metadata["note"]);
        Assert.Equal("alpha-2"u8.ToArray(), Value(storage, "alpha"));
        Assert.Equal("beta-1"u8.ToArray(), Value(storage, "beta"));
        Assert.Empty(Value(storage, "gamma"));
    }

    private static byte[] Value(SecureKeyStorage storage, string name)
    {
        using var buffer = storage.Retrieve(name);
        return buffer.Span.ToArray();
    }

    /// <summary>Swaps the rows of two stores with plain SQL; returns each name's rows afterwards as joined images.</summary>
    private Dictionary<string, byte[]> Swap(string schema, string a, string b)
    {
        var rowsA = StoreRows.Read(server, schema, a);
        var rowsB = StoreRows.Read(server, schema, b);
        rowsA.Write(server, schema, b);
        rowsB.Write(server, schema, a);
        return new() { [a] = rowsB.Image, [b] = rowsA.Image };
    }

    /// <summary>Stores in schemas of their own, all under one credential: what a per-tenant or staging/production deployment sharing a key looks like.</summary>
    private sealed class SharedCredentialStores(PostgresServer server, byte[]? key = null) : IDisposable
    {
        private readonly List<TestSchema> schemas = [];
        private readonly NpgsqlDataSource dataSource = server.CreateDataSource();

        public KeyStoreCredential Credential { get; } = TestStores.Credential(key ?? TestStores.NewKey());

        public string NewSchema()
        {
            var schema = server.CreateSchema();
            schemas.Add(schema);
            return schema.Name;
        }

        /// <summary>Two stores, the first one generation further on, so that an instance of either meets another store id at another generation.</summary>
        public (string A, string B) TwoStores(string schema)
        {
            string a = TestStores.NewName();
            string b = TestStores.NewName();
            Create(schema, a, "a-key", commits: 3);
            Create(schema, b, "b-key", commits: 1);

            // Control: each opens with its own keys.
            using (var storeA = Open(schema, a))
            using (var storeB = Open(schema, b))
            {
                Assert.Equal(["a-key"], storeA.ListKeys());
                Assert.Equal(["b-key"], storeB.ListKeys());
            }

            return (a, b);
        }

        public void Create(string schema, string name, string keyName, int commits)
        {
            using var storage = PostgreSqlKeyStorage.Create(dataSource, name, Credential, Options(schema));
            for (int i = 0; i < commits; i++)
            {
                storage.Store(keyName, [(byte)i]);
            }
        }

        public SecureKeyStorage Open(string schema, string name) => PostgreSqlKeyStorage.Open(dataSource, name, Credential, Options(schema));

        public void Dispose()
        {
            Credential.Dispose();
            dataSource.Dispose();
            foreach (var schema in schemas)
            {
                schema.Dispose();
            }
        }

        private static PostgreSqlKeyStoreOptions Options(string schema) => new() { Schema = schema };
    }
}
