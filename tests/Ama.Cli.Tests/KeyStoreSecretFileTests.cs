using System.Diagnostics;

namespace Ama.Cli.Tests;

/// <summary>
/// The files ama reads secrets from (--key-file, --password-file, put --file) and the systemd credentials
/// (--key-credential, --password-credential) go through the library's reader: a FIFO, a directory and a
/// file others may access are refused with a clear message, a credential is found in $CREDENTIALS_DIRECTORY.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public class KeyStoreSecretFileTests : IDisposable
{
    private const string Password = "secret-file-password-31";
    private const UnixFileMode Mode0644 = SecretFiles.OwnerOnly | UnixFileMode.GroupRead | UnixFileMode.OtherRead;
    private static readonly byte[] Key = [.. Enumerable.Range(1, 31).Select(i => (byte)i), (byte)'\n'];
    private readonly string directory = Directory.CreateTempSubdirectory("ama-secret-file-").FullName;
    private readonly string credentials;
    private readonly string store;
    private readonly string passwordFile;

    public KeyStoreSecretFileTests()
    {
        credentials = Directory.CreateDirectory(Path.Combine(directory, "credentials")).FullName;
        store = Path.Combine(directory, "app.keys");
        passwordFile = Write("pw.txt", System.Text.Encoding.UTF8.GetBytes(Password + "\n"));
        KeyStoreFixture.Create(store, passwordFile);
    }

    public void Dispose()
    {
        Directory.Delete(directory, recursive: true);
        GC.SuppressFinalize(this);
    }

    [Fact]
    public void A_0644_password_key_or_material_file_is_refused_with_its_mode()
    {
        string openPassword = Write("open-pw.txt", System.Text.Encoding.UTF8.GetBytes(Password + "\n"), Mode0644);
        string openKey = Write("open.key", Key, Mode0644);
        string openMaterial = Write("open.material", [1, 2, 3], Mode0644);
        string created = Path.Combine(directory, "new.keys");
        foreach (AmaProcess.Result result in (AmaProcess.Result[])[
            AmaProcess.Run("keystore", "list", store, "--password-file", openPassword),
            AmaProcess.Run("keystore", "create", created, "--key-file", openKey),
            AmaProcess.Run("keystore", "put", store, "m", "--password-file", passwordFile, "--file", openMaterial)])
        {
            KeyStoreInputTests.AssertUserError(result, 65, "has mode 0644");
            Assert.Contains("chmod 600", result.Stderr, StringComparison.Ordinal);
        }

        Assert.False(File.Exists(created));
        Assert.Equal(string.Empty, KeyStoreFixture.Ok(AmaProcess.Run("keystore", "list", store, "--password-file", passwordFile)).Stdout);
    }

    [Fact]
    public void A_symlink_to_a_0644_key_file_is_refused()
    {
        string target = Write("open.key", Key, Mode0644);
        string link = Path.Combine(directory, "link.key");
        File.CreateSymbolicLink(link, target);
        KeyStoreInputTests.AssertUserError(AmaProcess.Run("keystore", "create", Path.Combine(directory, "new.keys"), "--key-file", link), 65, "has mode 0644");
    }

    [Fact]
    public void Control_the_same_key_file_made_0600_creates_a_store()
    {
        string key = Write("own.key", Key);
        KeyStoreFixture.Ok(AmaProcess.Run("keystore", "create", Path.Combine(directory, "new.keys"), "--key-file", key));
    }

    [Fact]
    public void A_FIFO_is_refused_at_once_as_a_key_password_or_material_file()
    {
        string fifo = Path.Combine(directory, "fifo");
        using (Process mkfifo = Process.Start("mkfifo", fifo))
        {
            mkfifo.WaitForExit();
            Assert.Equal(0, mkfifo.ExitCode);
        }

        foreach (AmaProcess.Result result in (AmaProcess.Result[])[
            AmaProcess.Run("keystore", "list", store, "--key-file", fifo),
            AmaProcess.Run("keystore", "list", store, "--password-file", fifo),
            AmaProcess.Run("keystore", "put", store, "m", "--password-file", passwordFile, "--file", fifo)])
        {
            KeyStoreInputTests.AssertUserError(result, 65, "is a FIFO, not a regular file");
        }
    }

    [Fact]
    public void A_directory_is_refused_as_a_directory_not_as_missing()
    {
        KeyStoreInputTests.AssertUserError(AmaProcess.Run("keystore", "list", store, "--password-file", directory), 65, "is a directory, not a regular file");
    }

    [Fact]
    public void An_empty_password_or_key_file_is_a_data_error()
    {
        KeyStoreInputTests.AssertUserError(AmaProcess.Run("keystore", "list", store, "--password-file", Write("empty-pw", [])), 65, "empty");
        KeyStoreInputTests.AssertUserError(AmaProcess.Run("keystore", "list", store, "--key-file", Write("empty.key", [])), 65, "holds 0 bytes");
    }

    [Fact]
    public void A_key_with_a_newline_added_is_the_wrong_length()
    {
        string key = Write("long.key", [.. Key, (byte)'\n']);
        KeyStoreInputTests.AssertUserError(AmaProcess.Run("keystore", "create", Path.Combine(directory, "new.keys"), "--key-file", key), 65, "holds 33 bytes");
    }

    [Fact]
    public void A_store_created_with_a_key_credential_opens_with_the_key_file_of_the_same_bytes()
    {
        Write(Path.Combine("credentials", "store.key"), Key);
        string created = Path.Combine(directory, "new.keys");
        KeyStoreFixture.Ok(Run(["keystore", "create", created, "--key-credential", "store.key"]));
        KeyStoreFixture.Ok(AmaProcess.Run("keystore", "list", created, "--key-file", Write("same.key", Key)));
        KeyStoreFixture.Ok(Run(["keystore", "list", created, "--key-credential", "store.key"]));
    }

    [Fact]
    public void A_password_credential_opens_the_store_the_password_file_created()
    {
        Write(Path.Combine("credentials", "store.password"), System.Text.Encoding.UTF8.GetBytes(Password + "\r\n"));
        KeyStoreFixture.Ok(Run(["keystore", "list", store, "--password-credential", "store.password"]));
    }

    [Fact]
    public void Passwd_takes_the_new_credential_from_a_systemd_credential()
    {
        Write(Path.Combine("credentials", "new.key"), Key);
        KeyStoreFixture.Ok(Run(["keystore", "passwd", store, "--password-file", passwordFile, "--new-key-credential", "new.key"]));
        KeyStoreFixture.Ok(AmaProcess.Run("keystore", "list", store, "--key-file", Write("same.key", Key)));
    }

    [Fact]
    public void A_missing_credential_is_exit_66_and_names_it()
    {
        AmaProcess.Result result = Run(["keystore", "list", store, "--password-credential", "absent"]);
        KeyStoreInputTests.AssertUserError(result, 66, "'absent'");
        Assert.Contains(credentials, result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Without_CREDENTIALS_DIRECTORY_a_credential_option_is_a_usage_error()
    {
        AmaProcess.Result result = AmaProcess.Run(["keystore", "list", store, "--key-credential", "store.key"], environment: new Dictionary<string, string?> { ["CREDENTIALS_DIRECTORY"] = null });
        KeyStoreInputTests.AssertUserError(result, 64, "CREDENTIALS_DIRECTORY is not set");
    }

    [Fact]
    public void A_0644_credential_is_refused()
    {
        Write(Path.Combine("credentials", "open.password"), System.Text.Encoding.UTF8.GetBytes(Password + "\n"), Mode0644);
        KeyStoreInputTests.AssertUserError(Run(["keystore", "list", store, "--password-credential", "open.password"]), 65, "has mode 0644");
    }

    [Fact]
    public void A_credential_and_a_file_together_are_a_usage_error()
    {
        KeyStoreInputTests.AssertUserError(Run(["keystore", "list", store, "--password-file", passwordFile, "--key-credential", "store.key"]), 64, "Give only one of");
    }

    private AmaProcess.Result Run(string[] args) =>
        AmaProcess.Run(args, environment: new Dictionary<string, string?> { ["CREDENTIALS_DIRECTORY"] = credentials });

    private string Write(string name, byte[] bytes, UnixFileMode mode = SecretFiles.OwnerOnly)
    {
        string path = Path.Combine(directory, name);
        File.WriteAllBytes(path, bytes);
        File.SetUnixFileMode(path, mode);
        return path;
    }
}
