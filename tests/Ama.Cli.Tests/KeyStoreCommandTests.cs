using System.Text.Json;

namespace Ama.Cli.Tests;

/// <summary>Every <c>ama keystore</c> command against a real store file, through the built tool as a process.</summary>
public class KeyStoreCommandTests : IDisposable
{
    private const string Password = "first-password-91";
    private const string NewPassword = "second-password-37";
    private static readonly byte[] StdinMaterial = "stdin-material-1"u8.ToArray();
    private static readonly byte[] FileMaterial = [0x00, 0xFF, 0x10, 0x80, 0x7F];

    private readonly string directory = Directory.CreateTempSubdirectory("ama-ks-").FullName;
    private readonly string store;
    private readonly string passwordFile;
    private readonly string newPasswordFile;

    public KeyStoreCommandTests()
    {
        store = Path.Combine(directory, "app.keys");
        passwordFile = Write("pw.txt", Password + "\n");
        newPasswordFile = Write("new-pw.txt", NewPassword + "\n");
    }

    public void Dispose()
    {
        Directory.Delete(directory, recursive: true);
        GC.SuppressFinalize(this);
    }

    [Fact]
    public void Round_trip_through_every_command()
    {
        KeyStoreFixture.Create(store, passwordFile);

        // put: stdin, --file, --generate
        KeyStoreFixture.Ok(AmaProcess.Run(["keystore", "put", store, "db-key", "--password-file", passwordFile], System.Text.Encoding.UTF8.GetString(StdinMaterial)));
        KeyStoreFixture.Put(store, passwordFile, "tls-key", FileMaterial);
        KeyStoreFixture.Ok(AmaProcess.Run("keystore", "put", store, "tls-key", "--password-file", passwordFile, "--generate", "24"));

        // get: hex, base64, raw into a pipe
        Assert.Equal(Convert.ToHexStringLower(StdinMaterial) + "\n", KeyStoreFixture.Get(store, passwordFile, "db-key"));
        Assert.Equal(Convert.ToBase64String(StdinMaterial) + "\n", KeyStoreFixture.Get(store, passwordFile, "db-key", "--format", "base64"));
        Assert.Equal(StdinMaterial, KeyStoreFixture.GetRaw(store, passwordFile, "db-key"));
        Assert.Equal(Convert.ToHexStringLower(FileMaterial) + "\n", KeyStoreFixture.Get(store, passwordFile, "tls-key", "--version", "1"));
        string generated = KeyStoreFixture.Get(store, passwordFile, "tls-key");
        Assert.Equal((24 * 2) + 1, generated.Length);

        // list and versions, text and JSON
        Assert.Equal("db-key\ntls-key\n", KeyStoreFixture.Ok(AmaProcess.Run("keystore", "list", store, "--password-file", passwordFile)).Stdout);
        using (JsonDocument list = Json("keystore", "list", store, "--json", "--password-file", passwordFile))
        {
            Assert.Equal(["db-key", "tls-key"], list.RootElement.GetProperty("keys").EnumerateArray().Select(e => e.GetString()!));
        }

        using (JsonDocument versions = Json("keystore", "versions", store, "tls-key", "--json", "--password-file", passwordFile))
        {
            JsonElement[] items = [.. versions.RootElement.GetProperty("versions").EnumerateArray()];
            Assert.Equal([1, 2], items.Select(v => v.GetProperty("version").GetInt32()));
            Assert.Equal([false, true], items.Select(v => v.GetProperty("primary").GetBoolean()));
            Assert.Equal([5, 24], items.Select(v => v.GetProperty("length").GetInt32()));
        }

        string versionsText = KeyStoreFixture.Ok(AmaProcess.Run("keystore", "versions", store, "tls-key", "--password-file", passwordFile)).Stdout;
        Assert.Contains("2\tprimary\t24 bytes", versionsText, StringComparison.Ordinal);

        // delete: one version, then a whole entry
        KeyStoreFixture.Ok(AmaProcess.Run("keystore", "delete", store, "tls-key", "--version", "1", "--yes", "--password-file", passwordFile));
        AssertExit(66, "no version 1", "keystore", "get", store, "tls-key", "--version", "1", "--password-file", passwordFile);
        Assert.Equal(generated, KeyStoreFixture.Get(store, passwordFile, "tls-key"));
        KeyStoreFixture.Ok(AmaProcess.Run("keystore", "delete", store, "tls-key", "--yes", "--password-file", passwordFile));
        Assert.Equal("db-key\n", KeyStoreFixture.Ok(AmaProcess.Run("keystore", "list", store, "--password-file", passwordFile)).Stdout);
        AssertExit(66, "no key named 'tls-key'", "keystore", "delete", store, "tls-key", "--yes", "--password-file", passwordFile);

        // passwd: the old password stops working, the new one works, the values survive
        KeyStoreFixture.Ok(AmaProcess.Run(["keystore", "passwd", store, "--password-file", passwordFile, "--new-password-file", newPasswordFile, .. KeyStoreFixture.CheapKdf]));
        AssertExit(77, "does not open", "keystore", "list", store, "--password-file", passwordFile);
        Assert.Equal(Convert.ToHexStringLower(StdinMaterial) + "\n", KeyStoreFixture.Get(store, newPasswordFile, "db-key"));

        // rotate-data-key: the values survive
        KeyStoreFixture.Ok(AmaProcess.Run("keystore", "rotate-data-key", store, "--password-file", newPasswordFile));
        Assert.Equal(StdinMaterial, KeyStoreFixture.GetRaw(store, newPasswordFile, "db-key"));

        // info: format, KDF, counts, and no secret
        AmaProcess.Result info = KeyStoreFixture.Ok(AmaProcess.Run("keystore", "info", store, "--password-file", newPasswordFile));
        Assert.Contains("format version: 2", info.Stdout, StringComparison.Ordinal);
        Assert.Contains("PBKDF2-HMAC-SHA256(10000 iterations)", info.Stdout, StringComparison.Ordinal);
        Assert.Contains("keys:           1", info.Stdout, StringComparison.Ordinal);
        AssertNoSecret(info, StdinMaterial);
        using JsonDocument json = Json("keystore", "info", store, "--json", "--password-file", newPasswordFile);
        Assert.Equal(2, json.RootElement.GetProperty("formatVersion").GetInt32());
        Assert.Equal("pbkdf2", json.RootElement.GetProperty("kdf").GetProperty("algorithm").GetString());
        Assert.Equal(1, json.RootElement.GetProperty("keys").GetInt32());
        Assert.Equal(1, json.RootElement.GetProperty("versions").GetInt32());
    }

    /// <summary>Negative control for <see cref="AssertNoSecret"/>: <c>get</c> output does contain the secret.</summary>
    [Fact]
    public void No_secret_check_catches_a_secret_in_output()
    {
        KeyStoreFixture.Create(store, passwordFile);
        KeyStoreFixture.Put(store, passwordFile, "k", StdinMaterial);
        AmaProcess.Result get = KeyStoreFixture.Ok(AmaProcess.Run("keystore", "get", store, "k", "--password-file", passwordFile));
        Assert.ThrowsAny<Exception>(() => AssertNoSecret(get, StdinMaterial));
    }

    [Fact]
    public void Argon2id_parameters_are_stored_and_reported()
    {
        KeyStoreFixture.Ok(AmaProcess.Run("keystore", "create", store, "--password-file", passwordFile, "--kdf-memory", "8192", "--kdf-iterations", "1"));
        using JsonDocument json = Json("keystore", "info", store, "--json", "--password-file", passwordFile);
        JsonElement kdf = json.RootElement.GetProperty("kdf");
        Assert.Equal("argon2id", kdf.GetProperty("algorithm").GetString());
        Assert.Equal(8192, kdf.GetProperty("memoryKiB").GetInt32());
        Assert.Equal(1, kdf.GetProperty("iterations").GetInt32());
    }

    [Fact]
    public void Kdf_cost_outside_the_bounds_is_a_usage_error_and_creates_nothing()
    {
        AssertExit(64, "--kdf-iterations", ["keystore", "create", store, "--password-file", passwordFile, "--kdf", "pbkdf2", "--kdf-iterations", "9999"]);
        AssertExit(64, "--kdf-memory", ["keystore", "create", store, "--password-file", passwordFile, "--kdf-memory", "1024"]);
        Assert.False(File.Exists(store));
    }

    [Fact]
    public void Wrong_password_is_exit_77_and_leaves_the_file_untouched()
    {
        KeyStoreFixture.Create(store, passwordFile);
        byte[] before = File.ReadAllBytes(store);
        AssertExit(77, "does not open", "keystore", "list", store, "--password-file", newPasswordFile);
        Assert.Equal(before, File.ReadAllBytes(store));
    }

    [Fact]
    public void Damaged_file_is_exit_65()
    {
        KeyStoreFixture.Create(store, passwordFile);
        KeyStoreFixture.Put(store, passwordFile, "k", FileMaterial);
        byte[] bytes = File.ReadAllBytes(store);
        bytes[bytes.Length / 2] ^= 0x01;
        File.WriteAllBytes(store, bytes);
        AssertExit(65, "damaged", "keystore", "get", store, "k", "--password-file", passwordFile);
    }

    [Fact]
    public void Missing_store_is_exit_66()
    {
        AssertExit(66, "does not exist", "keystore", "info", store, "--password-file", passwordFile);
        AssertExit(66, "does not exist", "keystore", "put", store, "k", "--generate", "8", "--password-file", passwordFile);
    }

    [Fact]
    public void Create_over_an_existing_store_is_exit_73_and_keeps_it()
    {
        KeyStoreFixture.Create(store, passwordFile);
        KeyStoreFixture.Put(store, passwordFile, "k", FileMaterial);
        byte[] before = File.ReadAllBytes(store);
        AssertExit(73, "already exists", ["keystore", "create", store, "--password-file", newPasswordFile, .. KeyStoreFixture.CheapKdf]);
        Assert.Equal(before, File.ReadAllBytes(store));
    }

    [Fact]
    public void Bad_name_is_exit_65_and_missing_entry_is_exit_66()
    {
        KeyStoreFixture.Create(store, passwordFile);
        AssertExit(65, "key name", "keystore", "put", store, "bad name!", "--generate", "8", "--password-file", passwordFile);
        AssertExit(66, "no key named", "keystore", "get", store, "absent", "--password-file", passwordFile);
        AssertExit(66, "absent", "keystore", "versions", store, "absent", "--password-file", passwordFile);
    }

    private static void AssertExit(int exitCode, string fragment, params string[] args) =>
        KeyStoreInputTests.AssertUserError(AmaProcess.Run(args), exitCode, fragment);

    private static void AssertNoSecret(AmaProcess.Result result, byte[] secret)
    {
        string all = result.Stdout + result.Stderr;
        Assert.DoesNotContain(Convert.ToHexStringLower(secret), all, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(Convert.ToBase64String(secret), all, StringComparison.Ordinal);
        Assert.DoesNotContain(System.Text.Encoding.Latin1.GetString(secret), all, StringComparison.Ordinal);
    }

    private static JsonDocument Json(params string[] args) => JsonDocument.Parse(KeyStoreFixture.Ok(AmaProcess.Run(args)).Stdout);

    private string Write(string name, string content)
    {
        string path = Path.Combine(directory, name);
        SecretFiles.WriteAllText(path, content);
        return path;
    }
}
