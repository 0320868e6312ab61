using Ama.Cryptography.KeyManagement;
using static Ama.Cryptography.Tests.KeyManagement.KeyStoreTestSupport;

namespace Ama.Cryptography.Tests.KeyManagement;

public sealed class InMemoryStorageTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(32)]
    [InlineData(10 * 1024)]
    public void Retrieve_returns_what_was_stored(int length)
    {
        using var storage = new SecureKeyStorage(RandomKey());
        byte[] material = System.Security.Cryptography.RandomNumberGenerator.GetBytes(length);
        storage.Store("k", material);
        using SecureBuffer key = storage.Retrieve("k");
        Assert.Equal(material, key.Span.ToArray());
    }

    [Fact]
    public void Many_names_round_trip_and_list_in_order()
    {
        using var storage = new SecureKeyStorage(RandomKey());
        var names = Enumerable.Range(0, 300).Select(i => $"key-{i:D4}").ToArray();
        foreach (string name in names.Reverse())
        {
            storage.Store(name, ValueFor(name));
        }

        Assert.Equal(names, storage.ListKeys());
        foreach (string name in names)
        {
            Assert.Equal(ValueFor(name), RetrieveBytes(storage, name));
        }
    }

    [Fact]
    public void Missing_names_give_KeyNotFound_and_TryRetrieve_false()
    {
        using var storage = new SecureKeyStorage(RandomKey());
        storage.Store("present", [1, 2, 3]);
        Assert.Throws<KeyNotFoundException>(() => storage.Retrieve("absent"));
        Assert.False(storage.TryRetrieve("absent", out var none));
        Assert.Null(none);
        Assert.True(storage.TryRetrieve("present", out var key));
        using (key)
        {
            Assert.Equal([1, 2, 3], key.Span.ToArray());
        }
    }

    [Fact]
    public void Delete_and_Contains()
    {
        using var storage = new SecureKeyStorage(RandomKey());
        storage.Store("a", [1]);
        Assert.True(storage.Contains("a"));
        Assert.True(storage.Delete("a"));
        Assert.False(storage.Contains("a"));
        Assert.False(storage.Delete("a"));
        Assert.Empty(storage.ListKeys());
    }

    [Fact]
    public void Store_adds_versions_and_the_newest_is_primary()
    {
        using var storage = new SecureKeyStorage(RandomKey());
        Assert.Equal(1, storage.Store("k", [1]));
        Assert.Equal(2, storage.Store("k", [2], new Dictionary<string, string> { ["purpose"] = "signing" }));
        Assert.Equal(3, storage.Store("k", [3]));
        Assert.Equal([3], RetrieveBytes(storage, "k"));
        using (var old = storage.Retrieve("k", 2))
        {
            Assert.Equal([2], old.Span.ToArray());
        }

        var versions = storage.ListVersions("k");
        Assert.Equal([1, 2, 3], versions.Select(v => v.Version));
        Assert.Equal([false, false, true], versions.Select(v => v.IsPrimary));
        Assert.Equal("signing", versions[1].Metadata["purpose"]);

        Assert.True(storage.DestroyVersion("k", 3));
        Assert.Equal([2], RetrieveBytes(storage, "k"));
        Assert.Throws<KeyNotFoundException>(() => storage.Retrieve("k", 3));
        Assert.Equal(4, storage.Store("k", [4]));
    }

    [Fact]
    public void Dispose_zeroes_the_callers_key_and_every_member_then_throws()
    {
        byte[] key = RandomKey();
        var storage = new SecureKeyStorage(key);
        storage.Store("k", [1, 2, 3]);
        Assert.Contains(key, b => b != 0);
        storage.Dispose();
        Assert.All(key, b => Assert.Equal(0, b));
        storage.Dispose();

        Assert.Throws<ObjectDisposedException>(() => storage.Store("k", [1]));
        Assert.Throws<ObjectDisposedException>(() => storage.Store("k", [1], null));
        Assert.Throws<ObjectDisposedException>(() => storage.Retrieve("k"));
        Assert.Throws<ObjectDisposedException>(() => storage.Retrieve("k", 1));
        Assert.Throws<ObjectDisposedException>(() => storage.TryRetrieve("k", out _));
        Assert.Throws<ObjectDisposedException>(() => storage.Delete("k"));
        Assert.Throws<ObjectDisposedException>(() => storage.DestroyVersion("k", 1));
        Assert.Throws<ObjectDisposedException>(() => storage.Contains("k"));
        Assert.Throws<ObjectDisposedException>(() => storage.ListKeys());
        Assert.Throws<ObjectDisposedException>(() => storage.ListVersions("k"));
        Assert.Throws<ObjectDisposedException>(() => storage.BeginBatch());
        Assert.Throws<ObjectDisposedException>(() => storage.RotateDataKey());
        Assert.Throws<ObjectDisposedException>(() => storage.Refresh());
        Assert.Throws<ObjectDisposedException>(() => storage.Generation);
        using var credential = KeyStoreCredential.FromKey(RandomKey());
        Assert.Throws<ObjectDisposedException>(() => storage.ChangeCredential(credential));
    }

    [Fact]
    public void A_batch_started_before_Dispose_cannot_commit_after_it()
    {
        var storage = new SecureKeyStorage(RandomKey());
        var batch = storage.BeginBatch();
        batch.Store("k", [1]);
        storage.Dispose();
        Assert.Throws<ObjectDisposedException>(batch.Commit);
    }

    [Theory]
    [InlineData(31)]
    [InlineData(33)]
    [InlineData(0)]
    public void Keys_that_are_not_32_bytes_are_rejected(int length) =>
        Assert.Throws<ArgumentException>(() => new SecureKeyStorage(new byte[length]));

    [Fact]
    public void An_all_zero_key_is_rejected_and_a_nonzero_one_accepted()
    {
        Assert.Throws<ArgumentException>(() => new SecureKeyStorage(new byte[32]));
        byte[] almostZero = new byte[32];
        almostZero[31] = 1;
        using var storage = new SecureKeyStorage(almostZero);
    }

    public static TheoryData<string> InvalidNames => new()
    {
        string.Empty, " ", "a b", "a/b", "../etc", "a\\b", "naïve", "key\0", "tab\t", "x:y", "🔑", new string('a', 129),
    };

    [Theory]
    [MemberData(nameof(InvalidNames))]
    public void Invalid_names_are_rejected_by_every_member(string name)
    {
        using var storage = new SecureKeyStorage(RandomKey());
        Assert.Throws<ArgumentException>(() => storage.Store(name, [1]));
        Assert.Throws<ArgumentException>(() => storage.Retrieve(name));
        Assert.Throws<ArgumentException>(() => storage.TryRetrieve(name, out _));
        Assert.Throws<ArgumentException>(() => storage.Delete(name));
        Assert.Throws<ArgumentException>(() => storage.Contains(name));
        Assert.Throws<ArgumentException>(() => storage.ListVersions(name));
        Assert.Empty(storage.ListKeys());
    }

    [Fact]
    public void Null_names_are_rejected() =>
        Assert.Throws<ArgumentNullException>(() => new SecureKeyStorage(RandomKey()).Store(null!, [1]));

    [Theory]
    [InlineData("a")]
    [InlineData("A.Z_0-9")]
    [InlineData("signing-key-v1")]
    public void Valid_names_are_accepted(string name)
    {
        using var storage = new SecureKeyStorage(RandomKey());
        storage.Store(name, [1]);
        storage.Store(new string('x', 128), [1]);
        Assert.True(storage.Contains(name));
    }

    [Fact]
    public void A_ciphertext_moved_to_another_name_does_not_decrypt()
    {
        using var storage = new SecureKeyStorage(RandomKey());
        storage.Store("a", [1, 2, 3]);
        storage.Store("b", [4, 5, 6]);
        var entries = storage.StateForTests.Entries;
        Assert.Equal([1, 2, 3], RetrieveBytes(storage, "a")); // control: untouched entries decrypt
        (entries["a"].Versions[0], entries["b"].Versions[0]) = (entries["b"].Versions[0], entries["a"].Versions[0]);
        Assert.Throws<KeyStoreDamagedException>(() => storage.Retrieve("a"));
        Assert.Throws<KeyStoreDamagedException>(() => storage.Retrieve("b"));
    }

    [Fact]
    public void A_ciphertext_moved_to_another_store_with_the_same_key_does_not_decrypt()
    {
        byte[] key = RandomKey();
        using var first = new SecureKeyStorage((byte[])key.Clone());
        using var second = new SecureKeyStorage((byte[])key.Clone());
        first.Store("a", [1, 2, 3]);
        second.Store("a", [1, 2, 3]);
        Assert.Equal([1, 2, 3], RetrieveBytes(second, "a"));
        second.StateForTests.Entries["a"].Versions[0] = first.StateForTests.Entries["a"].Versions[0];
        Assert.Throws<KeyStoreDamagedException>(() => second.Retrieve("a"));
    }

    [Fact]
    public void A_ciphertext_moved_to_another_version_does_not_decrypt()
    {
        using var storage = new SecureKeyStorage(RandomKey());
        storage.Store("a", [1]);
        storage.Store("a", [2]);
        var versions = storage.StateForTests.Entries["a"].Versions;
        var moved = new SealedVersion { Version = 2, CreatedUnixMs = versions[0].CreatedUnixMs, Metadata = versions[0].Metadata, Length = 1, Sealed = versions[0].Sealed };
        versions[1] = moved;
        Assert.Throws<KeyStoreDamagedException>(() => storage.Retrieve("a"));
    }

    [Fact]
    public void RotateDataKey_reencrypts_every_entry()
    {
        using var storage = new SecureKeyStorage(RandomKey());
        storage.Store("a", [1]);
        storage.Store("a", [2]);
        storage.Store("b", [3]);
        byte[] before = storage.StateForTests.Entries["a"].Versions[0].Sealed.ToArray();
        storage.RotateDataKey();
        Assert.NotEqual(before, storage.StateForTests.Entries["a"].Versions[0].Sealed.ToArray());
        Assert.Equal([2], RetrieveBytes(storage, "a"));
        using var v1 = storage.Retrieve("a", 1);
        Assert.Equal([1], v1.Span.ToArray());
        Assert.Equal([3], RetrieveBytes(storage, "b"));
        Assert.Equal(3ul, storage.StateForTests.Encryptions);
    }

    [Fact]
    public void The_nonce_budget_stops_Store_until_the_data_key_is_rotated()
    {
        using var storage = new SecureKeyStorage(RandomKey());
        storage.StateForTests.Encryptions = EntryCipher.MaxEncryptionsPerDataKey - 1;
        storage.Store("a", [1]);
        Assert.Throws<KeyStoreException>(() => storage.Store("b", [2]));
        storage.RotateDataKey();
        storage.Store("b", [2]);
        Assert.Equal([2], RetrieveBytes(storage, "b"));
    }

    [Fact]
    public void Nonces_do_not_repeat_across_many_stores()
    {
        using var storage = new SecureKeyStorage(RandomKey());
        using (var batch = storage.BeginBatch())
        {
            for (int i = 0; i < 2000; i++)
            {
                batch.Store("k", [1]);
            }

            batch.Commit();
        }

        var nonces = storage.StateForTests.Entries["k"].Versions.Select(v => Convert.ToHexString(v.Sealed.Span[..12])).ToHashSet();
        Assert.Equal(2000, nonces.Count);
    }

    [Fact]
    public void Oversized_key_material_and_bad_metadata_are_rejected()
    {
        using var storage = new SecureKeyStorage(RandomKey());
        Assert.Throws<ArgumentException>(() => storage.Store("k", new byte[SecureKeyStorage.MaxKeyMaterialLength + 1]));
        Assert.Throws<ArgumentException>(() => storage.Store("k", [1], new Dictionary<string, string> { [string.Empty] = "x" }));
        Assert.Throws<ArgumentException>(() => storage.Store("k", [1], new Dictionary<string, string> { ["k"] = "\uD800" }));
        Assert.False(storage.Contains("k"));
    }
}
