using System.Buffers.Binary;
using Ama.Cryptography.KeyManagement;
using static Ama.Cryptography.Tests.KeyManagement.KeyStoreTestSupport;

namespace Ama.Cryptography.Tests.KeyManagement;

/// <summary>
/// Stores an older release wrote (format version 1, <see cref="FormatVersion1Fixtures"/>) still open
/// and read exactly as before; reading never changes them, and their next write of any kind makes
/// them format version 2 (the MAC bound to the store's place), after which they read back whole.
/// The version is read from the file's bytes 8 and 9, not from the library.
/// </summary>
public sealed class FormatMigrationTests : IDisposable
{
    private readonly TempKeyStoreDirectory dir = new();

    public void Dispose() => dir.Dispose();

    public static TheoryData<string> Writes => ["store", "delete", "destroy-version", "batch", "change-credential", "rotate-data-key"];

    [Theory]
    [InlineData("raw key")]
    [InlineData("password")]
    public void A_format_1_store_opens_reads_and_is_left_as_it_is(string kind)
    {
        string path = Fixture(kind);
        byte[] before = File.ReadAllBytes(path);
        Assert.Equal(1, FormatVersionOf(path));
        using (var credential = Credential(kind))
        using (var storage = SecureKeyStorage.Open(path, credential))
        {
            Assert.Equal(5, storage.Generation);
            AssertFixtureContent(storage);
            storage.Refresh();
        }

        Assert.Equal(before, File.ReadAllBytes(path));
    }

    [Theory]
    [MemberData(nameof(Writes))]
    public void Every_kind_of_write_makes_a_format_1_store_format_2_and_it_reads_back(string write)
    {
        string path = Fixture("raw key");
        using var credential = Credential("raw key");
        using var other = KeyStoreCredential.FromKey(RandomKey());
        using var bystander = SecureKeyStorage.Open(path, credential);
        using (var storage = SecureKeyStorage.Open(path, credential))
        {
            Write(storage, write, other);
        }

        Assert.Equal(2, FormatVersionOf(path));
        var opener = write == "change-credential" ? other : credential;
        using (var reopened = SecureKeyStorage.Open(path, opener))
        {
            Assert.Equal(6, reopened.Generation);
            AssertFixtureContent(reopened, write);

            // A format 2 store takes further writes as any store does.
            reopened.Store("after", [9]);
            Assert.Equal([9], RetrieveBytes(reopened, "after"));
        }

        // An instance that was open on the format 1 image follows the migration like any commit
        // (after a new credential it can no longer authenticate the store, as before).
        if (write == "change-credential")
        {
            Assert.Throws<KeyStoreCredentialException>(bystander.Refresh);
        }
        else
        {
            bystander.Refresh();
            Assert.Equal(7, bystander.Generation);
            AssertFixtureContent(bystander, write);
        }
    }

    [Fact]
    public void A_migrated_store_set_back_to_format_1_is_damage()
    {
        string path = Fixture("raw key");
        using var credential = Credential("raw key");
        using (var storage = SecureKeyStorage.Open(path, credential))
        {
            storage.Store("new", [1]);
        }

        byte[] file = File.ReadAllBytes(path);
        Assert.Equal(2, BinaryPrimitives.ReadUInt16LittleEndian(file.AsSpan(8)));
        BinaryPrimitives.WriteUInt16LittleEndian(file.AsSpan(8), 1);
        FixChecksum(file);
        File.WriteAllBytes(path, file);
        Assert.Throws<KeyStoreDamagedException>(() => SecureKeyStorage.Open(path, credential));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(3)]
    [InlineData(ushort.MaxValue)]
    public void An_unknown_format_version_is_damage_that_names_it(ushort version)
    {
        byte[] file = FormatVersion1Fixtures.RawKeyStore;
        BinaryPrimitives.WriteUInt16LittleEndian(file.AsSpan(8), version);
        FixChecksum(file);
        File.WriteAllBytes(dir.File(), file);
        using var credential = Credential("raw key");
        var e = Assert.Throws<KeyStoreDamagedException>(() => SecureKeyStorage.Open(dir.File(), credential));
        Assert.Contains($"format version is {version}", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_new_store_is_format_2()
    {
        using (var storage = CreateWithKey(dir.File(), RandomKey()))
        {
            Assert.Equal(2, FormatVersionOf(dir.File()));
        }
    }

    private static void Write(SecureKeyStorage storage, string write, KeyStoreCredential newCredential)
    {
        switch (write)
        {
            case "store":
                storage.Store("delta", "delta-1"u8);
                break;
            case "delete":
                Assert.True(storage.Delete("beta"));
                break;
            case "destroy-version":
                Assert.True(storage.DestroyVersion("alpha", 2));
                break;
            case "batch":
                using (var batch = storage.BeginBatch())
                {
                    batch.Store("delta", "delta-1"u8);
                    batch.Delete("beta");
                    batch.Commit();
                }

                break;
            case "change-credential":
                storage.ChangeCredential(newCredential);
                break;
            default:
                storage.RotateDataKey();
                break;
        }
    }

    /// <summary>The fixture's keys as the older release stored them, with what <paramref name="write"/> changed.</summary>
    private static void AssertFixtureContent(SecureKeyStorage storage, string? write = null)
    {
        Assert.Equal("alpha-1"u8.ToArray(), Retrieve(storage, "alpha", 1));
        var first = storage.ListVersions("alpha")[0];
        Assert.Equal("fixture", first.Metadata["purpose"]);
        Assert.Equal("ünïcode", first.Metadata["note"]);
        if (write == "destroy-version")
        {
            Assert.Single(storage.ListVersions("alpha"));
        }
        else
        {
            Assert.Equal("alpha-2"u8.ToArray(), RetrieveBytes(storage, "alpha"));
        }

        if (write is "delete" or "batch")
        {
            Assert.False(storage.Contains("beta"));
        }
        else
        {
            Assert.Equal("beta-1"u8.ToArray(), RetrieveBytes(storage, "beta"));
        }

        if (write is "store" or "batch")
        {
            Assert.Equal("delta-1"u8.ToArray(), RetrieveBytes(storage, "delta"));
        }

        Assert.Empty(RetrieveBytes(storage, "gamma"));
    }

    private static byte[] Retrieve(SecureKeyStorage storage, string name, int version)
    {
        using var buffer = storage.Retrieve(name, version);
        return buffer.Span.ToArray();
    }

    private static KeyStoreCredential Credential(string kind) => kind == "password"
        ? KeyStoreCredential.FromPassword(FormatVersion1Fixtures.Password.ToCharArray(), KeyStoreKdf.Pbkdf2Sha256(KeyStoreKdf.MinPbkdf2Iterations))
        : KeyStoreCredential.FromKey(FormatVersion1Fixtures.RawKey);

    private static int FormatVersionOf(string path) => BinaryPrimitives.ReadUInt16LittleEndian(File.ReadAllBytes(path).AsSpan(8));

    private string Fixture(string kind)
    {
        string path = dir.File(kind == "password" ? "v1-password.amaks" : "v1-raw.amaks");
        File.WriteAllBytes(path, kind == "password" ? FormatVersion1Fixtures.PasswordStore : FormatVersion1Fixtures.RawKeyStore);
        return path;
    }
}
