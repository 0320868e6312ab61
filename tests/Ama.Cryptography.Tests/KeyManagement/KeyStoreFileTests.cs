using System.Security.Cryptography;
using Ama.Cryptography.KeyManagement;
using Ama.Cryptography.Tests.Infrastructure;
using static Ama.Cryptography.Tests.KeyManagement.KeyStoreTestSupport;

namespace Ama.Cryptography.Tests.KeyManagement;

public sealed class KeyStoreFileTests : IDisposable
{
    private readonly TempKeyStoreDirectory dir = new();

    public void Dispose() => dir.Dispose();

    [Theory]
    [InlineData(0)]
    [InlineData(32)]
    [InlineData(10 * 1024)]
    public void Keys_survive_a_reopen(int length)
    {
        byte[] key = RandomKey();
        byte[] material = RandomNumberGenerator.GetBytes(length);
        using (var storage = CreateWithKey(dir.File(), key))
        {
            storage.Store("k", material);
        }

        using var reopened = OpenWithKey(dir.File(), key);
        Assert.Equal(material, RetrieveBytes(reopened, "k"));
    }

    [Fact]
    public void Versions_metadata_and_destroyed_versions_survive_a_reopen()
    {
        byte[] key = RandomKey();
        byte[] destroyed = RandomNumberGenerator.GetBytes(32);
        using (var storage = CreateWithKey(dir.File(), key))
        {
            storage.Store("k", [1], new Dictionary<string, string> { ["alg"] = "Ed25519", ["owner"] = "ops" });
            storage.Store("k", destroyed);
            storage.Store("k", [3]);
            Assert.True(storage.DestroyVersion("k", 2));
        }

        using var reopened = OpenWithKey(dir.File(), key);
        var versions = reopened.ListVersions("k");
        Assert.Equal([1, 3], versions.Select(v => v.Version));
        Assert.Equal("Ed25519", versions[0].Metadata["alg"]);
        Assert.Equal("ops", versions[0].Metadata["owner"]);
        Assert.Equal([3], RetrieveBytes(reopened, "k"));
        Assert.Equal(4, reopened.Store("k", [4]));
    }

    [Fact]
    public void A_destroyed_version_leaves_no_ciphertext_in_the_file()
    {
        byte[] key = RandomKey();
        using var storage = CreateWithKey(dir.File(), key);
        storage.Store("k", [1]);
        storage.Store("k", RandomNumberGenerator.GetBytes(64));
        byte[] sealedBytes = storage.StateForTests.Entries["k"].Versions[1].Sealed.ToArray();
        Assert.True(File.ReadAllBytes(dir.File()).AsSpan().IndexOf(sealedBytes) >= 0); // control
        storage.DestroyVersion("k", 2);
        Assert.True(File.ReadAllBytes(dir.File()).AsSpan().IndexOf(sealedBytes) < 0);
    }

    [Fact]
    public void Many_names_survive_a_reopen_in_a_new_process()
    {
        byte[] key = RandomKey();
        using (var storage = CreateWithKey(dir.File(), key))
        using (var batch = storage.BeginBatch())
        {
            for (int i = 0; i < 200; i++)
            {
                batch.Store($"key-{i}", ValueFor($"key-{i}"));
            }

            batch.Store("key-0", ValueFor("key-0-v2"));
            batch.Commit();
        }

        var (exit, stdout, stderr) = TestHost.Run(TestHost.StartInfo("keystore-read", [dir.File(), Convert.ToHexString(key)]));
        Assert.True(exit == 0, stderr);
        var lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => l.StartsWith("entry ", StringComparison.Ordinal)).ToList();
        Assert.Equal(201, lines.Count);
        Assert.Contains($"entry key-7 1 {Convert.ToHexStringLower(SHA256.HashData(ValueFor("key-7")))}", lines);
        Assert.Contains($"entry key-0 2 {Convert.ToHexStringLower(SHA256.HashData(ValueFor("key-0-v2")))}", lines);
    }

    [Fact]
    public void A_password_store_opens_with_the_password_and_not_with_another()
    {
        using (var credential = KeyStoreCredential.FromPassword("correct horse", CheapArgon2))
        using (var storage = SecureKeyStorage.Create(dir.File(), credential))
        {
            storage.Store("k", [7]);
        }

        byte[] before = File.ReadAllBytes(dir.File());
        using (var wrong = KeyStoreCredential.FromPassword("correct hose", CheapArgon2))
        {
            var e = Assert.Throws<KeyStoreCredentialException>(() => SecureKeyStorage.Open(dir.File(), wrong));
            Assert.Contains("does not open", e.Message, StringComparison.Ordinal);
        }

        Assert.Equal(before, File.ReadAllBytes(dir.File()));
        using var right = KeyStoreCredential.FromPassword("correct horse", KeyStoreKdf.Default);
        using var reopened = SecureKeyStorage.Open(dir.File(), right);
        Assert.Equal([7], RetrieveBytes(reopened, "k"));
    }

    [Fact]
    public void A_wrong_raw_key_fails_at_Open_and_a_key_for_a_password_store_is_the_wrong_kind()
    {
        byte[] key = RandomKey();
        using (CreateWithKey(dir.File(), key))
        {
        }

        Assert.Throws<KeyStoreCredentialException>(() => OpenWithKey(dir.File(), RandomKey()));
        using (var password = KeyStoreCredential.FromPassword("pw", CheapArgon2))
        {
            Assert.Throws<KeyStoreCredentialException>(() => SecureKeyStorage.Open(dir.File(), password));
        }

        using (OpenWithKey(dir.File(), key))
        {
        }
    }

    [Fact]
    public void Pbkdf2_stores_round_trip()
    {
        var kdf = KeyStoreKdf.Pbkdf2Sha256(KeyStoreKdf.MinPbkdf2Iterations);
        using (var credential = KeyStoreCredential.FromPassword("pw", kdf))
        using (var storage = SecureKeyStorage.Create(dir.File(), credential))
        {
            storage.Store("k", [9]);
        }

        using var again = KeyStoreCredential.FromPassword("pw", kdf);
        using var reopened = SecureKeyStorage.Open(dir.File(), again);
        Assert.Equal([9], RetrieveBytes(reopened, "k"));
    }

    [Fact]
    public void ChangeCredential_rewraps_only_the_data_key()
    {
        byte[] key = RandomKey();
        using (var storage = CreateWithKey(dir.File(), key))
        {
            storage.Store("k", [1, 2]);
            byte[] sealedBefore = storage.StateForTests.Entries["k"].Versions[0].Sealed.ToArray();
            using var password = KeyStoreCredential.FromPassword("new password", CheapArgon2);
            storage.ChangeCredential(password);
            Assert.Equal(sealedBefore, storage.StateForTests.Entries["k"].Versions[0].Sealed.ToArray());
            storage.Store("k2", [3]);
        }

        Assert.Throws<KeyStoreCredentialException>(() => OpenWithKey(dir.File(), key));
        using var newCredential = KeyStoreCredential.FromPassword("new password", CheapArgon2);
        using var reopened = SecureKeyStorage.Open(dir.File(), newCredential);
        Assert.Equal([1, 2], RetrieveBytes(reopened, "k"));
        Assert.Equal([3], RetrieveBytes(reopened, "k2"));
    }

    [Fact]
    public void Kdf_reports_the_cost_read_from_the_file_and_follows_ChangeCredential()
    {
        var pbkdf2 = KeyStoreKdf.Pbkdf2Sha256(KeyStoreKdf.MinPbkdf2Iterations + 1);
        using (var password = KeyStoreCredential.FromPassword("pw", pbkdf2))
        using (var created = SecureKeyStorage.Create(dir.File(), password))
        {
            Assert.Equal(pbkdf2.ToString(), created.Kdf?.ToString());
            using var raw = KeyStoreCredential.FromKey(RandomKey());
            created.ChangeCredential(raw);
            Assert.Null(created.Kdf);
            using var argon = KeyStoreCredential.FromPassword("pw2", CheapArgon2);
            created.ChangeCredential(argon);
        }

        // The opener asks for the default Argon2id; the store reports the cheap one it was written with.
        using var opener = KeyStoreCredential.FromPassword("pw2", KeyStoreKdf.Default);
        using var reopened = SecureKeyStorage.Open(dir.File(), opener);
        Assert.Equal(KeyStoreKdfAlgorithm.Argon2id, reopened.Kdf?.Algorithm);
        Assert.Equal(CheapArgon2.MemoryKiB, reopened.Kdf?.MemoryKiB);
        Assert.Equal(CheapArgon2.Iterations, reopened.Kdf?.Iterations);
    }

    [Fact]
    public void Kdf_is_null_in_memory_and_throws_after_dispose()
    {
        var storage = new SecureKeyStorage(RandomKey());
        Assert.Null(storage.Kdf);
        storage.Dispose();
        Assert.Throws<ObjectDisposedException>(() => storage.Kdf);
    }

    [Fact]
    public void RotateDataKey_changes_every_ciphertext_in_the_file()
    {
        byte[] key = RandomKey();
        using (var storage = CreateWithKey(dir.File(), key))
        {
            storage.Store("a", [1]);
            storage.Store("b", [2]);
            byte[] sealedA = storage.StateForTests.Entries["a"].Versions[0].Sealed.ToArray();
            storage.RotateDataKey();
            Assert.True(File.ReadAllBytes(dir.File()).AsSpan().IndexOf(sealedA) < 0);
        }

        using var reopened = OpenWithKey(dir.File(), key);
        Assert.Equal([1], RetrieveBytes(reopened, "a"));
        Assert.Equal([2], RetrieveBytes(reopened, "b"));
    }

    [Fact]
    public void Create_refuses_an_existing_file_and_the_file_is_0600_with_no_temp_left()
    {
        using (CreateWithKey(dir.File(), RandomKey()))
        {
        }

        Assert.Throws<IOException>(() => CreateWithKey(dir.File(), RandomKey()));
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(dir.File()));
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(dir.File() + ".lock"));
        }

        Assert.Equal(["store.amaks", "store.amaks.lock"], Directory.GetFiles(dir.Path).Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void A_temp_file_left_by_a_dead_writer_is_removed_by_the_next_write()
    {
        byte[] key = RandomKey();
        using var storage = CreateWithKey(dir.File(), key);
        string orphan = Path.Combine(dir.Path, ".store.amaks.0123456789abcdef.tmp");
        File.WriteAllBytes(orphan, [1]);
        storage.Store("k", [1]);
        Assert.False(File.Exists(orphan));
    }

    [Fact]
    public void A_second_instance_sees_the_firsts_writes_and_writers_never_lose_an_update()
    {
        byte[] key = RandomKey();
        using var first = CreateWithKey(dir.File(), key);
        using var second = OpenWithKey(dir.File(), key);
        first.Store("a", [1]);
        second.Store("b", [2]); // reloads generation 2 under the lock, then writes 3
        first.Store("c", [3]);
        Assert.Equal(["a", "b", "c"], first.ListKeys());
        second.Refresh();
        Assert.Equal(["a", "b", "c"], second.ListKeys());
        Assert.Equal(first.Generation, second.Generation);
    }

    [Fact]
    public void A_rollback_of_the_file_under_a_running_instance_is_detected()
    {
        byte[] key = RandomKey();
        using var storage = CreateWithKey(dir.File(), key);
        storage.Store("a", [1]);
        byte[] old = File.ReadAllBytes(dir.File());
        storage.Store("b", [2]);
        storage.Refresh(); // control: the current file is fine
        File.WriteAllBytes(dir.File(), old);
        Assert.Throws<KeyStoreDamagedException>(storage.Refresh);
        Assert.Throws<KeyStoreDamagedException>(() => storage.Store("c", [3]));
    }

    [Fact]
    public void A_credential_change_by_another_instance_is_reported_on_the_next_write()
    {
        byte[] key = RandomKey();
        using var first = CreateWithKey(dir.File(), key);
        using var second = OpenWithKey(dir.File(), key);
        using (var other = KeyStoreCredential.FromKey(RandomKey()))
        {
            first.ChangeCredential(other);
        }

        Assert.Throws<KeyStoreCredentialException>(() => second.Store("x", [1]));
    }

    [Fact]
    public void A_rotation_by_another_instance_is_picked_up()
    {
        byte[] key = RandomKey();
        using var first = CreateWithKey(dir.File(), key);
        using var second = OpenWithKey(dir.File(), key);
        first.Store("a", [1]);
        first.RotateDataKey();
        second.Store("b", [2]);
        Assert.Equal([1], RetrieveBytes(second, "a"));
        first.Refresh();
        Assert.Equal([2], RetrieveBytes(first, "b"));
    }

    [Fact]
    public void The_default_kdf_is_Argon2id_64MiB_3_passes_and_opens()
    {
        Assert.Equal(KeyStoreKdfAlgorithm.Argon2id, KeyStoreKdf.Default.Algorithm);
        Assert.Equal(65536, KeyStoreKdf.Default.MemoryKiB);
        Assert.Equal(3, KeyStoreKdf.Default.Iterations);
        using (var credential = KeyStoreCredential.FromPassword("pw"))
        using (var storage = SecureKeyStorage.Create(dir.File(), credential))
        {
            storage.Store("k", [5]);
        }

        byte[] file = File.ReadAllBytes(dir.File());
        Assert.Equal(1, file[36]);
        Assert.Equal(65536u, System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(file.AsSpan(40)));
        using var again = KeyStoreCredential.FromPassword("pw");
        using var reopened = SecureKeyStorage.Open(dir.File(), again);
        Assert.Equal([5], RetrieveBytes(reopened, "k"));
    }

    [Fact]
    public void ChangeCredential_is_not_available_in_memory()
    {
        using var storage = new SecureKeyStorage(RandomKey());
        using var credential = KeyStoreCredential.FromKey(RandomKey());
        Assert.Throws<InvalidOperationException>(() => storage.ChangeCredential(credential));
        Assert.Null(storage.FilePath);
        Assert.True(storage.IsInMemory);
    }

    [Fact]
    public void A_file_store_is_not_in_memory_and_names_its_file()
    {
        using var credential = KeyStoreCredential.FromKey(RandomKey());
        using var storage = SecureKeyStorage.Create(dir.File(), credential);
        Assert.False(storage.IsInMemory);
        Assert.Equal(Path.GetFullPath(dir.File()), storage.FilePath);
    }
}
