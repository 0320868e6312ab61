using Ama.Cryptography.KeyManagement;
using Ama.Cryptography.PostgreSql.Tests.Infrastructure;
using Npgsql;

namespace Ama.Cryptography.PostgreSql.Tests;

/// <summary>
/// A DBA's edits, made with plain SQL on the tables, are each found on the next read, by an open
/// instance (Refresh) and by a new one (Open), as <see cref="KeyStoreDamagedException"/>. Each test
/// first shows the untouched store reading fine (the control), then edits, then expects the error.
/// </summary>
public sealed class TamperTests(PostgresServer server)
{
    [Fact]
    public void A_flipped_generation_is_detected()
    {
        using var store = TamperedStore.Create(server);
        store.Edit("UPDATE ama.key_stores SET generation = generation # 1 WHERE store_name = $1", store.Name);
        store.AssertDamaged();
    }

    [Theory]
    [InlineData(0)] // magic
    [InlineData(10)] // header length
    [InlineData(28)] // generation inside the header
    [InlineData(36)] // KDF algorithm
    [InlineData(40)] // KDF memory
    [InlineData(52)] // salt (zero for a raw key)
    [InlineData(100)] // encryption counter
    [InlineData(108)] // wrapped data key: nonce
    [InlineData(130)] // wrapped data key: ciphertext
    [InlineData(160)] // wrapped data key: tag
    [InlineData(168)] // entry count
    [InlineData(175)] // reserved, last byte
    public void A_flipped_header_byte_is_detected(int position)
    {
        using var store = TamperedStore.Create(server);
        store.Edit("UPDATE ama.key_stores SET header = set_byte(header, $2, get_byte(header, $2) # 1) WHERE store_name = $1", store.Name, position);
        store.AssertDamaged();
    }

    [Fact]
    public void A_flipped_salt_byte_of_a_raw_key_store_is_damage_not_a_wrong_key()
    {
        using var store = TamperedStore.Create(server);
        store.Edit("UPDATE ama.key_stores SET header = set_byte(header, 60, get_byte(header, 60) # 1) WHERE store_name = $1", store.Name);
        store.AssertDamaged();
    }

    /// <summary>
    /// The store id and the commitment feed the credential check, which runs before anything keyed
    /// can vouch for the header. The trailer's checksum, stored with the MAC, is checked first, so
    /// a flipped byte is damage for a fresh Open too, not a wrong key (as for a file).
    /// </summary>
    [Theory]
    [InlineData(12)] // store id
    [InlineData(27)] // store id, last byte
    [InlineData(68)] // credential commitment
    [InlineData(99)] // credential commitment, last byte
    public void A_flipped_header_byte_that_the_credential_check_covers_is_refused(int position)
    {
        using var store = TamperedStore.Create(server);
        store.Edit("UPDATE ama.key_stores SET header = set_byte(header, $2, get_byte(header, $2) # 1) WHERE store_name = $1", store.Name, position);
        store.AssertDamaged();
    }

    [Theory]
    [InlineData(0)]
    [InlineData(31)] // the MAC's last byte
    [InlineData(32)] // the checksum's first byte
    [InlineData(63)]
    public void A_flipped_mac_byte_is_detected(int position)
    {
        using var store = TamperedStore.Create(server);
        store.Edit("UPDATE ama.key_stores SET mac = set_byte(mac, $2, get_byte(mac, $2) # 1) WHERE store_name = $1", store.Name, position);
        store.AssertDamaged();
    }

    [Fact]
    public void A_changed_character_of_a_key_name_is_detected()
    {
        using var store = TamperedStore.Create(server);
        store.Edit("UPDATE ama.key_entries SET key_name = 'b' || substr(key_name, 2) WHERE store_name = $1 AND key_name = 'alpha'", store.Name);
        store.AssertDamaged();
    }

    [Theory]
    [InlineData("first")] // the name's length
    [InlineData("name")] // a character of the name inside the record
    [InlineData("version")] // the next-version counter
    [InlineData("middle")]
    [InlineData("last")] // the last sealed version's tag
    public void A_flipped_record_byte_is_detected(string where)
    {
        using var store = TamperedStore.Create(server);
        int length = server.Scalar<int>("SELECT length(record) FROM ama.key_entries WHERE store_name = $1 AND key_name = 'alpha'", store.Name);
        int position = where switch
        {
            "first" => 0,
            "name" => 1,
            "version" => 1 + "alpha".Length,
            "middle" => length / 2,
            _ => length - 1,
        };
        store.Edit(
            "UPDATE ama.key_entries SET record = set_byte(record, $2, get_byte(record, $2) # 1) WHERE store_name = $1 AND key_name = 'alpha'",
            store.Name,
            position);
        store.AssertDamaged();
    }

    [Fact]
    public void An_entry_row_moved_to_another_store_is_detected_in_both()
    {
        using var first = TamperedStore.Create(server);
        using var second = TamperedStore.Create(server, names: ["delta"]);
        first.Edit("UPDATE ama.key_entries SET store_name = $2 WHERE store_name = $1 AND key_name = 'beta'", first.Name, second.Name);
        first.AssertDamaged();
        second.AssertDamaged();
    }

    [Fact]
    public void A_deleted_entry_row_is_detected()
    {
        using var store = TamperedStore.Create(server);
        store.Edit("DELETE FROM ama.key_entries WHERE store_name = $1 AND key_name = 'beta'", store.Name);
        store.AssertDamaged();
    }

    [Fact]
    public void A_row_copied_from_another_store_is_detected()
    {
        using var store = TamperedStore.Create(server);
        using var other = TamperedStore.Create(server, names: ["delta"]);
        store.Edit(
            "INSERT INTO ama.key_entries (store_name, key_name, record) SELECT $1, key_name, record FROM ama.key_entries WHERE store_name = $2 AND key_name = 'delta'",
            store.Name,
            other.Name);
        store.AssertDamaged();
        other.AssertReadsFine();
    }

    [Fact]
    public void A_record_replaced_by_the_same_name_from_another_store_is_detected()
    {
        using var store = TamperedStore.Create(server);
        using var other = TamperedStore.Create(server);
        store.Edit(
            "UPDATE ama.key_entries SET record = (SELECT record FROM ama.key_entries WHERE store_name = $2 AND key_name = 'alpha') WHERE store_name = $1 AND key_name = 'alpha'",
            store.Name,
            other.Name);
        store.AssertDamaged();
    }

    [Fact]
    public void An_entry_row_rolled_back_to_an_older_version_is_detected()
    {
        using var store = TamperedStore.Create(server);
        byte[] older = server.Scalar<byte[]>("SELECT record FROM ama.key_entries WHERE store_name = $1 AND key_name = 'alpha'", store.Name)!;
        store.Writer.Store("alpha", TamperedStore.ValueOf("alpha-3"));
        store.Edit("UPDATE ama.key_entries SET record = $2 WHERE store_name = $1 AND key_name = 'alpha'", store.Name, older);
        store.AssertDamaged();
    }

    [Fact]
    public void A_whole_store_rolled_back_is_detected_by_an_instance_that_saw_a_newer_generation_but_not_by_a_fresh_open()
    {
        using var store = TamperedStore.Create(server);
        var saved = SavedRows.Of(server, store.Name);
        store.Writer.Store("later", TamperedStore.ValueOf("later"));
        store.Writer.Delete("beta");
        store.AssertReadsFine();
        Assert.Equal(saved.Generation + 2, store.Reader.Generation);

        saved.Restore(server);
        Assert.Throws<KeyStoreDamagedException>(store.Reader.Refresh);
        Assert.Throws<KeyStoreDamagedException>(() => store.Reader.Store("later", TamperedStore.ValueOf("again")));

        // The documented limit, as for a file: a process that never saw a newer generation cannot
        // tell the old one from the newest, so a fresh Open accepts the rolled-back store whole.
        using var fresh = store.OpenFresh();
        Assert.Equal(saved.Generation, fresh.Generation);
        Assert.True(fresh.Contains("beta"));
        Assert.False(fresh.Contains("later"));
    }

    [Fact]
    public async Task RefreshAsync_detects_a_whole_store_rolled_back_as_Refresh_does()
    {
        using var store = TamperedStore.Create(server);
        var saved = SavedRows.Of(server, store.Name);
        store.Writer.Store("later", TamperedStore.ValueOf("later"));
        await store.Reader.RefreshAsync(TestContext.Current.CancellationToken);
        Assert.True(store.Reader.Contains("later"));

        saved.Restore(server);
        await Assert.ThrowsAsync<KeyStoreDamagedException>(() => store.Reader.RefreshAsync(TestContext.Current.CancellationToken));
        Assert.Throws<KeyStoreDamagedException>(() => store.Reader.Store("later", TamperedStore.ValueOf("again")));
    }

    [Fact]
    public async Task RefreshAsync_detects_a_row_changed_in_place_and_the_instance_then_refuses_writes()
    {
        using var store = TamperedStore.Create(server);
        store.Edit("UPDATE ama.key_stores SET mac = set_byte(mac, 0, get_byte(mac, 0) # 1) WHERE store_name = $1", store.Name);
        await Assert.ThrowsAsync<KeyStoreDamagedException>(() => store.Reader.RefreshAsync(TestContext.Current.CancellationToken));
        var refused = Assert.Throws<KeyStoreDamagedException>(() => store.Reader.Store("after-damage", TamperedStore.ValueOf("after-damage")));
        Assert.Contains("found the key store", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_row_changed_in_place_is_refused_by_a_writer_instead_of_overwritten()
    {
        using var store = TamperedStore.Create(server);
        store.Edit("UPDATE ama.key_stores SET mac = set_byte(mac, 0, get_byte(mac, 0) # 1) WHERE store_name = $1", store.Name);
        Assert.Throws<KeyStoreDamagedException>(() => store.Writer.Store("more", TamperedStore.ValueOf("more")));
        Assert.Throws<KeyStoreDamagedException>(() => store.OpenFresh());
    }

    [Fact]
    public void A_wrong_credential_is_a_credential_error_distinct_from_damage()
    {
        using var store = TamperedStore.Create(server);
        using var wrong = TestStores.Credential(TestStores.NewKey());
        Assert.Throws<KeyStoreCredentialException>(() => PostgreSqlKeyStorage.Open(store.DataSource, store.Name, wrong));
        store.AssertReadsFine();

        // And damage is not a credential error: the right key on a damaged store.
        store.Edit("UPDATE ama.key_stores SET mac = set_byte(mac, 5, get_byte(mac, 5) # 1) WHERE store_name = $1", store.Name);
        store.AssertDamaged();
        // The checksum is checked before the credential, as for a file: damage is reported to any key.
        Assert.Throws<KeyStoreDamagedException>(() => PostgreSqlKeyStorage.Open(store.DataSource, store.Name, wrong));
    }

    /// <summary>Every row of one store, to be put back exactly with plain SQL.</summary>
    private sealed record SavedRows(string Name, long Generation, byte[] Header, byte[] Mac, string[] Names, byte[][] Records)
    {
        public static SavedRows Of(PostgresServer server, string name) => new(
            name,
            server.Scalar<long>("SELECT generation FROM ama.key_stores WHERE store_name = $1", name),
            server.Scalar<byte[]>("SELECT header FROM ama.key_stores WHERE store_name = $1", name)!,
            server.Scalar<byte[]>("SELECT mac FROM ama.key_stores WHERE store_name = $1", name)!,
            server.Scalar<string[]>("SELECT array_agg(key_name ORDER BY key_name) FROM ama.key_entries WHERE store_name = $1", name)!,
            server.Scalar<byte[][]>("SELECT array_agg(record ORDER BY key_name) FROM ama.key_entries WHERE store_name = $1", name)!);

        public void Restore(PostgresServer server)
        {
            server.Execute("DELETE FROM ama.key_entries WHERE store_name = $1", Name);
            server.Execute("UPDATE ama.key_stores SET generation = $2, header = $3, mac = $4 WHERE store_name = $1", Name, Generation, Header, Mac);
            server.Execute("INSERT INTO ama.key_entries (store_name, key_name, record) SELECT $1, n, r FROM unnest($2::text[], $3::bytea[]) AS u(n, r)", Name, Names, Records);
        }
    }

    /// <summary>
    /// A store with a few keys (alpha in two versions), a writing instance, and a second open
    /// instance that has read the newest generation, whose Refresh must find the edits.
    /// </summary>
    private sealed class TamperedStore : IDisposable
    {
        private readonly PostgresServer server;
        private readonly KeyStoreCredential credential;
        private readonly string[] names;

        private TamperedStore(PostgresServer server, string[] names)
        {
            this.server = server;
            this.names = names;
            DataSource = server.CreateDataSource();
            credential = TestStores.Credential(TestStores.NewKey());
            Name = TestStores.NewName();
            Writer = PostgreSqlKeyStorage.Create(DataSource, Name, credential);
            Writer.Store("alpha", ValueOf("alpha-1"));
            foreach (string name in names)
            {
                Writer.Store(name, ValueOf(name));
            }

            Writer.Store("alpha", ValueOf("alpha-2"));
            Reader = PostgreSqlKeyStorage.Open(DataSource, Name, credential);
        }

        public NpgsqlDataSource DataSource { get; }

        public string Name { get; }

        public SecureKeyStorage Writer { get; }

        public SecureKeyStorage Reader { get; }

        public static TamperedStore Create(PostgresServer server, string[]? names = null) => new(server, names ?? ["beta", "gamma"]);

        public static byte[] ValueOf(string label) => PostgresProbe.ValueOf(label);

        public SecureKeyStorage OpenFresh() => PostgreSqlKeyStorage.Open(DataSource, Name, credential);

        /// <summary>The control, then the edit: the store reads fine right before the SQL runs.</summary>
        public void Edit(string sql, params object[] parameters)
        {
            AssertReadsFine();
            Assert.True(server.Execute(sql, parameters) > 0, "the edit changed no row");
        }

        public void AssertReadsFine()
        {
            Reader.Refresh();
            Check(Reader);
            using var fresh = OpenFresh();
            Check(fresh);
            Assert.Equal(Reader.Generation, fresh.Generation);
        }

        /// <summary>
        /// The instance that read the store before the edit finds the damage, and then refuses to
        /// write (its cached store row may be unchanged, so without that it would commit on top of the
        /// edit); the refused write changes no row. A new instance refuses to open.
        /// </summary>
        public void AssertDamaged()
        {
            Assert.Throws<KeyStoreDamagedException>(Reader.Refresh);
            byte[] rows = StoreRows.Read(server, "ama", Name).Image;
            var refused = Assert.Throws<KeyStoreDamagedException>(() => Reader.Store("after-damage", ValueOf("after-damage")));
            Assert.Contains("found the key store", refused.Message, StringComparison.Ordinal);
            Assert.Throws<KeyStoreDamagedException>(() => Reader.Delete("alpha"));
            Assert.Equal(rows, StoreRows.Read(server, "ama", Name).Image);
            Assert.Throws<KeyStoreDamagedException>(() => OpenFresh());
        }

        public void Dispose()
        {
            Reader.Dispose();
            Writer.Dispose();
            credential.Dispose();
            DataSource.Dispose();
        }

        private void Check(SecureKeyStorage storage)
        {
            using (var alpha = storage.Retrieve("alpha"))
            {
                Assert.Equal(ValueOf(storage.ListVersions("alpha").Count == 3 ? "alpha-3" : "alpha-2"), alpha.Span.ToArray());
            }

            using (var first = storage.Retrieve("alpha", 1))
            {
                Assert.Equal(ValueOf("alpha-1"), first.Span.ToArray());
            }

            foreach (string name in names.Where(storage.Contains))
            {
                using var value = storage.Retrieve(name);
                Assert.Equal(ValueOf(name), value.Span.ToArray());
            }
        }
    }
}
