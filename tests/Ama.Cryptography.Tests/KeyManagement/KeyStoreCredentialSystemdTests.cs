using System.Text;
using Ama.Cryptography.KeyManagement;
using Ama.Cryptography.Tests.Readers;

namespace Ama.Cryptography.Tests.KeyManagement;

/// <summary>
/// KeyStoreCredential.FromKeyCredential and FromPasswordCredential: systemd's $CREDENTIALS_DIRECTORY/&lt;name&gt;,
/// with ReadCredential's checks. The variable is set for the whole process, so the class shares a collection
/// with the other classes that set it.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
[Collection(nameof(SetsCredentialsDirectory))]
public sealed class KeyStoreCredentialSystemdTests : IDisposable
{
    private const string Variable = "CREDENTIALS_DIRECTORY";
    private readonly ReaderFiles files = new();
    private readonly string? saved = Environment.GetEnvironmentVariable(Variable);

    public KeyStoreCredentialSystemdTests() => Environment.SetEnvironmentVariable(Variable, files.Path);

    public void Dispose()
    {
        Environment.SetEnvironmentVariable(Variable, saved);
        files.Dispose();
    }

    [Fact]
    public void A_store_created_from_a_key_credential_opens_with_FromKey_of_the_same_bytes()
    {
        byte[] key = KeyStoreTestSupport.RandomKey();
        key[^1] = (byte)'\n'; // not trimmed: a raw key is read as it is
        files.File("store.key", key, UnixFileMode.UserRead);
        string store = files.Name("store.amaks");
        using (KeyStoreCredential credential = KeyStoreCredential.FromKeyCredential("store.key"))
        using (SecureKeyStorage created = SecureKeyStorage.Create(store, credential))
        {
            created.Store("k", KeyStoreTestSupport.ValueFor("k"));
        }

        using SecureKeyStorage opened = KeyStoreTestSupport.OpenWithKey(store, key);
        Assert.Equal(KeyStoreTestSupport.ValueFor("k"), KeyStoreTestSupport.RetrieveBytes(opened, "k"));
    }

    [Fact]
    public void A_store_created_from_a_password_credential_opens_with_FromPassword()
    {
        files.File("store.password", Encoding.UTF8.GetBytes("credential-pässword\n"));
        string store = files.Name("store.amaks");
        using (KeyStoreCredential credential = KeyStoreCredential.FromPasswordCredential("store.password", KeyStoreTestSupport.CheapArgon2))
        {
            Assert.Equal(KeyStoreTestSupport.CheapArgon2, credential.Kdf);
            using SecureKeyStorage created = SecureKeyStorage.Create(store, credential);
            created.Store("k", KeyStoreTestSupport.ValueFor("k"));
        }

        using KeyStoreCredential typed = KeyStoreCredential.FromPassword("credential-pässword");
        using SecureKeyStorage opened = SecureKeyStorage.Open(store, typed);
        Assert.Equal(KeyStoreTestSupport.ValueFor("k"), KeyStoreTestSupport.RetrieveBytes(opened, "k"));

        using KeyStoreCredential defaultKdf = KeyStoreCredential.FromPasswordCredential("store.password");
        Assert.Equal(KeyStoreKdf.Default, defaultKdf.Kdf);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    public void An_unset_CREDENTIALS_DIRECTORY_is_a_clear_error(string? value)
    {
        Environment.SetEnvironmentVariable(Variable, value);
        foreach (Func<string, KeyStoreCredential> read in Readers())
        {
            Assert.Contains(Variable, Assert.Throws<InvalidOperationException>(() => read("store.key")).Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void A_missing_credential_names_itself_and_the_directory()
    {
        foreach (Func<string, KeyStoreCredential> read in Readers())
        {
            var error = Assert.Throws<FileNotFoundException>(() => read("store.key"));
            Assert.Contains("'store.key'", error.Message, StringComparison.Ordinal);
            Assert.Contains(files.Path, error.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void A_0644_credential_and_a_symlink_to_one_are_refused()
    {
        string target = files.File("open", "pw-and-not-a-key-000000000000000"u8, ReaderFiles.Mode0644);
        files.Link("linked", target);
        foreach (Func<string, KeyStoreCredential> read in Readers())
        {
            Assert.Contains("0644", Assert.Throws<UnauthorizedAccessException>(() => read("open")).Message, StringComparison.Ordinal);
            Assert.Contains("0644", Assert.Throws<UnauthorizedAccessException>(() => read("linked")).Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task A_FIFO_credential_is_refused_at_once()
    {
        foreach (Func<string, KeyStoreCredential> read in Readers())
        {
            string name = "fifo-" + Guid.NewGuid().ToString("N");
            string fifo = files.Fifo(name);
            Exception error = await ReaderFiles.FailsWithoutWaiting(fifo, () => read(name));
            Assert.IsType<IOException>(error);
        }
    }

    [Fact]
    public void An_empty_credential_is_refused()
    {
        files.File("empty", []);
        Assert.Contains("holds 0 bytes", Assert.Throws<InvalidDataException>(() => KeyStoreCredential.FromKeyCredential("empty")).Message, StringComparison.Ordinal);
        Assert.Contains("empty password", Assert.Throws<InvalidDataException>(() => KeyStoreCredential.FromPasswordCredential("empty")).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_key_credential_of_the_wrong_length_names_the_credential_and_the_length()
    {
        files.File("short.key", new byte[16]);
        var error = Assert.Throws<InvalidDataException>(() => KeyStoreCredential.FromKeyCredential("short.key"));
        Assert.Contains("'short.key'", error.Message, StringComparison.Ordinal);
        Assert.Contains("holds 16 bytes", error.Message, StringComparison.Ordinal);
    }

    private static Func<string, KeyStoreCredential>[] Readers() =>
        [KeyStoreCredential.FromKeyCredential, KeyStoreCredential.FromPasswordCredential];
}
