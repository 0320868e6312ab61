using System.Text;
using Ama.Cryptography.KeyManagement;
using Ama.Cryptography.Tests.Readers;

namespace Ama.Cryptography.Tests.KeyManagement;

/// <summary>
/// KeyStoreCredential.FromKeyFile and FromPasswordFile: the files go through SecureBuffer.ReadFile's
/// checks, and the credential they give opens the same store as FromKey or FromPassword of the same secret.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class KeyStoreCredentialFileTests : IDisposable
{
    private readonly ReaderFiles files = new();

    public void Dispose() => files.Dispose();

    [Fact]
    public void A_store_created_from_a_key_file_opens_with_FromKey_of_the_same_bytes()
    {
        byte[] key = KeyStoreTestSupport.RandomKey();
        key[^1] = (byte)'\n'; // a raw key's last byte may be 0x0A: it is not trimmed
        string keyFile = files.File("store.key", key);
        string store = files.Name("store.amaks");
        using (KeyStoreCredential credential = KeyStoreCredential.FromKeyFile(keyFile))
        using (SecureKeyStorage created = SecureKeyStorage.Create(store, credential))
        {
            created.Store("k", KeyStoreTestSupport.ValueFor("k"));
        }

        using SecureKeyStorage opened = KeyStoreTestSupport.OpenWithKey(store, key);
        Assert.Equal(KeyStoreTestSupport.ValueFor("k"), KeyStoreTestSupport.RetrieveBytes(opened, "k"));
    }

    [Fact]
    public void A_store_created_from_a_password_file_opens_with_FromPassword_of_its_first_line()
    {
        string passwordFile = files.File("password", Encoding.UTF8.GetBytes("pässwörd-✓\r\nsecond line\n"));
        string store = files.Name("store.amaks");
        using (KeyStoreCredential credential = KeyStoreCredential.FromPasswordFile(passwordFile, KeyStoreTestSupport.CheapArgon2))
        {
            Assert.Equal(KeyStoreTestSupport.CheapArgon2, credential.Kdf);
            using SecureKeyStorage created = SecureKeyStorage.Create(store, credential);
            created.Store("k", KeyStoreTestSupport.ValueFor("k"));
        }

        using KeyStoreCredential typed = KeyStoreCredential.FromPassword("pässwörd-✓");
        using SecureKeyStorage opened = SecureKeyStorage.Open(store, typed);
        Assert.Equal(KeyStoreTestSupport.ValueFor("k"), KeyStoreTestSupport.RetrieveBytes(opened, "k"));
    }

    [Fact]
    public void FromPasswordFile_without_a_KDF_uses_the_default()
    {
        using KeyStoreCredential credential = KeyStoreCredential.FromPasswordFile(files.File("password", "pw\n"u8));
        Assert.Equal(KeyStoreKdf.Default, credential.Kdf);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(31)]
    [InlineData(33)]
    public void A_key_file_of_the_wrong_length_names_the_path_and_the_length(int length)
    {
        byte[] bytes = new byte[length];
        bytes.AsSpan().Fill(0x5A);
        string path = files.File("wrong.key", bytes);
        var error = Assert.Throws<InvalidDataException>(() => KeyStoreCredential.FromKeyFile(path));
        Assert.Contains($"'{path}'", error.Message, StringComparison.Ordinal);
        Assert.Contains($"holds {length} bytes", error.Message, StringComparison.Ordinal);
        // Look at the message without the path, whose random directory name may contain "5a" by chance.
        string withoutPath = error.Message.Replace(path, "", StringComparison.Ordinal);
        Assert.DoesNotContain("5A", withoutPath, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("ZZZZ", withoutPath, StringComparison.Ordinal);
    }

    [Fact]
    public void A_key_file_of_zero_bytes_is_refused()
    {
        string path = files.File("zero.key", new byte[32]);
        Assert.Contains("zero", Assert.Throws<InvalidDataException>(() => KeyStoreCredential.FromKeyFile(path)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_0644_file_and_a_symlink_to_one_are_refused_with_the_mode()
    {
        string key = files.File("open.key", KeyStoreTestSupport.RandomKey(), ReaderFiles.Mode0644);
        string password = files.File("open.password", "pw\n"u8, ReaderFiles.Mode0644);
        foreach (Func<string, KeyStoreCredential> read in Readers())
        {
            foreach (string path in (string[])[key, password])
            {
                string link = files.Link("link-" + Guid.NewGuid().ToString("N"), path);
                Assert.Contains("0644", Assert.Throws<UnauthorizedAccessException>(() => read(path)).Message, StringComparison.Ordinal);
                Assert.Contains("0644", Assert.Throws<UnauthorizedAccessException>(() => read(link)).Message, StringComparison.Ordinal);
            }
        }
    }

    [Fact]
    public void Control_a_0644_file_is_accepted_when_the_options_allow_it()
    {
        var open = new SecureFileOptions { AllowGroupReadable = true, AllowWorldReadable = true };
        byte[] bytes = KeyStoreTestSupport.RandomKey();
        using KeyStoreCredential key = KeyStoreCredential.FromKeyFile(files.File("open.key", bytes, ReaderFiles.Mode0644), open);
        using KeyStoreCredential password = KeyStoreCredential.FromPasswordFile(files.File("open.password", "pw\n"u8, ReaderFiles.Mode0644), KeyStoreKdf.Default, open);
        Assert.False(key.IsPassword);
        Assert.True(password.IsPassword);
    }

    [Fact]
    public async Task A_FIFO_is_refused_at_once()
    {
        foreach (Func<string, KeyStoreCredential> read in Readers())
        {
            string fifo = files.Fifo("fifo-" + Guid.NewGuid().ToString("N"));
            Exception error = await ReaderFiles.FailsWithoutWaiting(fifo, () => read(fifo));
            Assert.IsType<IOException>(error);
            Assert.Contains("a FIFO", error.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void A_directory_and_a_missing_file_are_refused()
    {
        foreach (Func<string, KeyStoreCredential> read in Readers())
        {
            Assert.Contains("a directory", Assert.Throws<IOException>(() => read(files.Path)).Message, StringComparison.Ordinal);
            Assert.Throws<FileNotFoundException>(() => read(files.Name("missing")));
        }
    }

    [Theory]
    [InlineData("")]
    [InlineData("\n")]
    [InlineData("\r\npw")]
    public void An_empty_password_file_or_first_line_is_refused(string text)
    {
        string path = files.File("empty.password", Encoding.UTF8.GetBytes(text));
        var error = Assert.Throws<InvalidDataException>(() => KeyStoreCredential.FromPasswordFile(path));
        Assert.Contains($"'{path}'", error.Message, StringComparison.Ordinal);
        Assert.Contains("empty password", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_password_that_is_not_UTF8_is_refused_without_quoting_it()
    {
        string path = files.File("latin1.password", [(byte)'p', 0xE4, (byte)'s', (byte)'\n']);
        var error = Assert.Throws<InvalidDataException>(() => KeyStoreCredential.FromPasswordFile(path));
        Assert.Contains("UTF-8", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("p\u00e4s", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("\ufffd", error.Message, StringComparison.Ordinal);
    }

    private static Func<string, KeyStoreCredential>[] Readers() =>
        [path => KeyStoreCredential.FromKeyFile(path), KeyStoreCredential.FromPasswordFile];
}
