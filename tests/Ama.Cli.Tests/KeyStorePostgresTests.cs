using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Ama.Cryptography.PostgreSql.Tests.Infrastructure;
using Npgsql;

namespace Ama.Cli.Tests;

/// <summary>
/// Every <c>ama keystore</c> command against a named store in a real PostgreSQL server (AMA_POSTGRES,
/// or a throwaway cluster), through the built tool as a process: with <c>--postgres</c>, with the
/// AMA_POSTGRES variable, and the errors. Every run is checked for the connection's password.
/// </summary>
public sealed class KeyStorePostgresTests : IClassFixture<PostgresServer>, IDisposable
{
    private const string Password = "pg-first-password-91";
    private const string NewPassword = "pg-second-password-37";
    private static readonly byte[] StdinMaterial = "pg-stdin-material"u8.ToArray();
    private static readonly byte[] FileMaterial = [0x00, 0xFF, 0x10, 0x80, 0x7F];

    private readonly PostgresServer server;
    private readonly string directory = Directory.CreateTempSubdirectory("ama-ks-pg-").FullName;
    private readonly string passwordFile;
    private readonly string newPasswordFile;
    private readonly string keyFile;
    private readonly string otherKeyFile;

    public KeyStorePostgresTests(PostgresServer server)
    {
        this.server = server;
        passwordFile = Write("pw.txt", Encoding.UTF8.GetBytes(Password + "\n"));
        newPasswordFile = Write("new-pw.txt", Encoding.UTF8.GetBytes(NewPassword + "\n"));
        keyFile = Write("master.key", RandomNumberGenerator.GetBytes(32));
        otherKeyFile = Write("other.key", RandomNumberGenerator.GetBytes(32));
    }

    public void Dispose() => Directory.Delete(directory, recursive: true);

    [Fact]
    public void Round_trip_through_every_command_with_the_postgres_option()
    {
        (string connection, string dbPassword) = Connection();
        string store = NewStoreName();
        string[] before = Files();
        AmaProcess.Result Run(string[] args, string? stdin = null) => Checked(AmaProcess.Run([.. args, "--postgres", connection, "--store", store], stdin, workingDirectory: directory), dbPassword);
        string Get(params string[] args) => Ok(Run(["keystore", "get", .. args, "--password-file", passwordFile])).Stdout;

        AmaProcess.Result created = Ok(Run(["keystore", "create", "--password-file", passwordFile, .. KeyStoreFixture.CheapKdf]));
        Assert.Contains($"Created PostgreSQL store '{store}'", created.Stderr, StringComparison.Ordinal);

        // put: stdin, --file, --generate
        Ok(Run(["keystore", "put", "db-key", "--password-file", passwordFile], Encoding.UTF8.GetString(StdinMaterial)));
        string materialFile = Write("material.bin", FileMaterial);
        Ok(Run(["keystore", "put", "tls-key", "--file", materialFile, "--password-file", passwordFile]));
        Ok(Run(["keystore", "put", "tls-key", "--generate", "24", "--password-file", passwordFile]));

        // get: hex, base64, an older version
        Assert.Equal(Convert.ToHexStringLower(StdinMaterial) + "\n", Get("db-key"));
        Assert.Equal(Convert.ToBase64String(StdinMaterial) + "\n", Get("db-key", "--format", "base64"));
        Assert.Equal(Convert.ToHexStringLower(FileMaterial) + "\n", Get("tls-key", "--version", "1"));
        string generated = Get("tls-key");
        Assert.Equal((24 * 2) + 1, generated.Length);

        // list and versions, text and JSON
        Assert.Equal("db-key\ntls-key\n", Ok(Run(["keystore", "list", "--password-file", passwordFile])).Stdout);
        using (JsonDocument list = JsonDocument.Parse(Ok(Run(["keystore", "list", "--json", "--password-file", passwordFile])).Stdout))
        {
            Assert.Equal(["db-key", "tls-key"], list.RootElement.GetProperty("keys").EnumerateArray().Select(e => e.GetString()!));
        }

        using (JsonDocument versions = JsonDocument.Parse(Ok(Run(["keystore", "versions", "tls-key", "--json", "--password-file", passwordFile])).Stdout))
        {
            JsonElement[] items = [.. versions.RootElement.GetProperty("versions").EnumerateArray()];
            Assert.Equal([1, 2], items.Select(v => v.GetProperty("version").GetInt32()));
            Assert.Equal([5, 24], items.Select(v => v.GetProperty("length").GetInt32()));
        }

        Assert.Contains("2\tprimary\t24 bytes", Ok(Run(["keystore", "versions", "tls-key", "--password-file", passwordFile])).Stdout, StringComparison.Ordinal);

        // delete: one version, then the whole entry; the store is named, not a file
        Ok(Run(["keystore", "delete", "tls-key", "--version", "1", "--yes", "--password-file", passwordFile]));
        KeyStoreInputTests.AssertUserError(Run(["keystore", "get", "tls-key", "--version", "1", "--password-file", passwordFile]), 66, "no version 1");
        Assert.Equal(generated, Get("tls-key"));
        Ok(Run(["keystore", "delete", "tls-key", "--yes", "--password-file", passwordFile]));
        AmaProcess.Result gone = Run(["keystore", "delete", "tls-key", "--yes", "--password-file", passwordFile]);
        KeyStoreInputTests.AssertUserError(gone, 66, "no key named 'tls-key'");
        Assert.Equal("db-key\n", Ok(Run(["keystore", "list", "--password-file", passwordFile])).Stdout);

        // passwd: the old password stops working, the new one works, the values survive
        Ok(Run(["keystore", "passwd", "--password-file", passwordFile, "--new-password-file", newPasswordFile, .. KeyStoreFixture.CheapKdf]));
        KeyStoreInputTests.AssertUserError(Run(["keystore", "list", "--password-file", passwordFile]), 77, "does not open");
        Assert.Equal(Convert.ToHexStringLower(StdinMaterial) + "\n", Ok(Run(["keystore", "get", "db-key", "--password-file", newPasswordFile])).Stdout);

        // rotate-data-key: the values survive
        Ok(Run(["keystore", "rotate-data-key", "--password-file", newPasswordFile]));
        Assert.Equal(Convert.ToHexStringLower(StdinMaterial) + "\n", Ok(Run(["keystore", "get", "db-key", "--password-file", newPasswordFile])).Stdout);

        // info: the store by name and the server without its password, no file path
        AmaProcess.Result info = Ok(Run(["keystore", "info", "--password-file", newPasswordFile]));
        Assert.Contains($"store:          PostgreSQL store '{store}'", info.Stdout, StringComparison.Ordinal);
        Assert.Contains("PBKDF2-HMAC-SHA256(10000 iterations)", info.Stdout, StringComparison.Ordinal);
        Assert.Contains("keys:           1", info.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("file:", info.Stdout, StringComparison.Ordinal);
        using (JsonDocument json = JsonDocument.Parse(Ok(Run(["keystore", "info", "--json", "--password-file", newPasswordFile])).Stdout))
        {
            Assert.False(json.RootElement.TryGetProperty("file", out _));
            Assert.Equal(store, json.RootElement.GetProperty("postgresql").GetProperty("store").GetString());
            Assert.Equal(1, json.RootElement.GetProperty("versions").GetInt32());
        }

        // No lock file, no store file: nothing was written next to the commands but the test's own files.
        Assert.Equal([.. before.Append("material.bin").Order(StringComparer.Ordinal)], Files());
    }

    [Fact]
    public void Round_trip_with_AMA_POSTGRES_in_the_environment()
    {
        (string connection, string dbPassword) = Connection();
        string store = NewStoreName();
        var environment = new Dictionary<string, string?> { [AmaProcess.PostgresVariable] = connection };
        AmaProcess.Result Run(string[] args, string? stdin = null) =>
            Checked(AmaProcess.Run([.. args, "--store", store, "--key-file", keyFile], stdin, environment, workingDirectory: directory), dbPassword);

        Ok(Run(["keystore", "create"]));
        Ok(Run(["keystore", "put", "k"], Encoding.UTF8.GetString(StdinMaterial)));
        Ok(Run(["keystore", "put", "k", "--generate", "16"]));
        Assert.Equal(Convert.ToHexStringLower(StdinMaterial) + "\n", Ok(Run(["keystore", "get", "k", "--version", "1"])).Stdout);
        Assert.Equal("k\n", Ok(Run(["keystore", "list"])).Stdout);
        Assert.Contains("2\tprimary\t16 bytes", Ok(Run(["keystore", "versions", "k"])).Stdout, StringComparison.Ordinal);
        Ok(Run(["keystore", "rotate-data-key"]));
        Ok(Run(["keystore", "passwd", "--new-key-file", otherKeyFile]));
        KeyStoreInputTests.AssertUserError(Run(["keystore", "list"]), 77, "does not open");
        AmaProcess.Result info = Ok(Checked(AmaProcess.Run(["keystore", "info", "--store", store, "--key-file", otherKeyFile], null, environment), dbPassword));
        Assert.Contains($"PostgreSQL store '{store}'", info.Stdout, StringComparison.Ordinal);
        Assert.Contains("none (raw 32-byte key)", info.Stdout, StringComparison.Ordinal);
        Ok(Checked(AmaProcess.Run(["keystore", "delete", "k", "--yes", "--store", store, "--key-file", otherKeyFile], null, environment), dbPassword));
        Assert.Equal(string.Empty, Ok(Checked(AmaProcess.Run(["keystore", "list", "--store", store, "--key-file", otherKeyFile], null, environment), dbPassword)).Stdout);
    }

    [Fact]
    public void Two_stores_in_one_database_keep_their_own_entries_and_credentials()
    {
        (string connection, string dbPassword) = Connection();
        string first = NewStoreName();
        string second = NewStoreName();
        AmaProcess.Result Run(string store, string key, params string[] args) =>
            Checked(AmaProcess.Run([.. args, "--postgres", connection, "--store", store, "--key-file", key]), dbPassword);

        Ok(Run(first, keyFile, "keystore", "create"));
        Ok(Run(second, otherKeyFile, "keystore", "create"));
        Ok(Run(first, keyFile, "keystore", "put", "shared-name", "--file", Write("a.bin", [1, 1, 1])));
        Ok(Run(second, otherKeyFile, "keystore", "put", "shared-name", "--file", Write("b.bin", [2, 2])));
        Ok(Run(second, otherKeyFile, "keystore", "put", "only-second", "--generate", "8"));

        Assert.Equal("010101\n", Ok(Run(first, keyFile, "keystore", "get", "shared-name")).Stdout);
        Assert.Equal("0202\n", Ok(Run(second, otherKeyFile, "keystore", "get", "shared-name")).Stdout);
        Assert.Equal("shared-name\n", Ok(Run(first, keyFile, "keystore", "list")).Stdout);
        Assert.Equal("only-second\nshared-name\n", Ok(Run(second, otherKeyFile, "keystore", "list")).Stdout);

        // Each store opens only under its own key; deleting in one leaves the other alone.
        KeyStoreInputTests.AssertUserError(Run(first, otherKeyFile, "keystore", "list"), 77, "does not open");
        Ok(Run(second, otherKeyFile, "keystore", "delete", "shared-name", "--yes"));
        Assert.Equal("010101\n", Ok(Run(first, keyFile, "keystore", "get", "shared-name")).Stdout);
    }

    [Fact]
    public void A_store_in_another_schema_is_reached_only_with_its_schema()
    {
        (string connection, string dbPassword) = Connection();
        string store = NewStoreName();
        string schema = "cli_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6));
        AmaProcess.Result Run(params string[] args) => Checked(AmaProcess.Run([.. args, "--postgres", connection, "--store", store, "--key-file", keyFile]), dbPassword);
        try
        {
            AmaProcess.Result created = Ok(Run("keystore", "create", "--schema", schema));
            Assert.Contains($"(schema {schema})", created.Stderr, StringComparison.Ordinal);
            Ok(Run("keystore", "put", "k", "--generate", "8", "--schema", schema));
            Assert.Equal("k\n", Ok(Run("keystore", "list", "--schema", schema)).Stdout);
            Assert.Equal(1L, server.Scalar<long>($"SELECT count(*) FROM {schema}.key_entries WHERE store_name = $1", store));
            using (JsonDocument info = JsonDocument.Parse(Ok(Run("keystore", "info", "--json", "--schema", schema)).Stdout))
            {
                Assert.Equal(schema, info.RootElement.GetProperty("postgresql").GetProperty("schema").GetString());
            }

            // Control: without --schema the same name is looked up in the default schema, where it does not exist.
            KeyStoreInputTests.AssertUserError(Run("keystore", "list"), 1, "schema ama");
        }
        finally
        {
            server.Execute($"DROP SCHEMA IF EXISTS {schema} CASCADE");
        }
    }

    [Fact]
    public void Schema_is_checked_before_any_prompt_and_only_with_a_store_in_postgres()
    {
        (string connection, _) = Connection();
        string file = Path.Combine(directory, "app.keys");
        KeyStoreFixture.Ok(AmaProcess.Run("keystore", "create", file, "--key-file", keyFile));
        KeyStoreInputTests.AssertUserError(AmaProcess.Run("keystore", "list", file, "--schema", "keys", "--key-file", keyFile), 64, "--schema");
        foreach (string bad in new[] { "Keys", "pg_keys", "a-b", "x;drop", "" })
        {
            KeyStoreInputTests.AssertUserError(AmaProcess.Run("keystore", "list", "--postgres", connection, "--store", "s", "--schema", bad, "--key-file", keyFile), 65, "schema name");
        }
    }

    [Fact]
    public void A_file_and_a_connection_string_together_are_a_usage_error_naming_both()
    {
        (string connection, _) = Connection();
        string file = Path.Combine(directory, "app.keys");
        KeyStoreFixture.Ok(AmaProcess.Run("keystore", "create", file, "--key-file", keyFile));

        AmaProcess.Result withOption = AmaProcess.Run("keystore", "list", file, "--postgres", connection, "--store", "s", "--key-file", keyFile);
        KeyStoreInputTests.AssertUserError(withOption, 64, "--postgres");
        Assert.Contains(file, withOption.Stderr, StringComparison.Ordinal);
        var environment = new Dictionary<string, string?> { [AmaProcess.PostgresVariable] = connection };
        AmaProcess.Result withVariable = AmaProcess.Run(["keystore", "get", file, "k", "--key-file", keyFile], null, environment);
        KeyStoreInputTests.AssertUserError(withVariable, 64, "AMA_POSTGRES");
        Assert.Contains(file, withVariable.Stderr, StringComparison.Ordinal);
        KeyStoreInputTests.AssertUserError(AmaProcess.Run(["keystore", "create", file, "--key-file", keyFile], null, environment), 64, "AMA_POSTGRES");

        // Control: the same file without the connection string is a working store.
        Assert.Equal(string.Empty, KeyStoreFixture.Ok(AmaProcess.Run("keystore", "list", file, "--key-file", keyFile)).Stdout);
    }

    [Fact]
    public void A_store_name_without_a_connection_string_and_the_reverse_are_usage_errors()
    {
        (string connection, _) = Connection();
        KeyStoreInputTests.AssertUserError(AmaProcess.Run("keystore", "list", "--store", "app", "--key-file", keyFile), 64, "--store");
        KeyStoreInputTests.AssertUserError(AmaProcess.Run("keystore", "get", "k", "--store", "app", "--key-file", keyFile), 64, "no connection string");
        KeyStoreInputTests.AssertUserError(AmaProcess.Run("keystore", "list", "--postgres", connection, "--key-file", keyFile), 64, "--store NAME");
        KeyStoreInputTests.AssertUserError(AmaProcess.Run("keystore", "get", "--postgres", connection, "--store", "app", "--key-file", keyFile), 64, "entry's name");
        KeyStoreInputTests.AssertUserError(
            AmaProcess.Run("keystore", "put", "k", "--generate", "8", "--postgres", connection, "--store", "app", "--lock-timeout", "5", "--key-file", keyFile), 64, "--lock-timeout");
        KeyStoreInputTests.AssertUserError(AmaProcess.Run("keystore", "list", "--postgres", connection, "--store", "bad name!", "--key-file", keyFile), 65, "store name");
        KeyStoreInputTests.AssertUserError(AmaProcess.Run("keystore", "list", "--postgres", "Host=/tmp;Bogus=1", "--store", "app", "--key-file", keyFile), 64, "connection string");
    }

    [Fact]
    public void Wrong_credential_missing_store_and_existing_store_give_the_store_exit_codes()
    {
        (string connection, string dbPassword) = Connection();
        string store = NewStoreName();
        AmaProcess.Result Run(params string[] args) => Checked(AmaProcess.Run([.. args, "--postgres", connection]), dbPassword);
        Ok(Run("keystore", "create", "--store", store, "--key-file", keyFile));
        Ok(Run("keystore", "put", "k", "--generate", "8", "--store", store, "--key-file", keyFile));

        KeyStoreInputTests.AssertUserError(Run("keystore", "get", "k", "--store", store, "--key-file", otherKeyFile), 77, "does not open");
        KeyStoreInputTests.AssertUserError(Run("keystore", "create", "--store", store, "--key-file", otherKeyFile), 73, store);
        string missing = NewStoreName();
        AmaProcess.Result absent = Run("keystore", "list", "--store", missing, "--key-file", keyFile);
        KeyStoreInputTests.AssertUserError(absent, 1, missing);

        // The failed create changed nothing: the entry is still there under the first key.
        Assert.Equal("k\n", Ok(Run("keystore", "list", "--store", store, "--key-file", keyFile)).Stdout);
    }

    [Fact]
    public void An_unreachable_server_is_a_clear_error_that_never_shows_the_password()
    {
        string noServer = Directory.CreateTempSubdirectory("ama-no-pg-").FullName;
        try
        {
            const string secret = "Unreachable-Secret-4471";
            string connection = $"Host={noServer};Port=5432;Database=keysdb;Username=app;Password={secret};Timeout=5";
            foreach (string[] command in (string[][])[["keystore", "list"], ["keystore", "create"], ["keystore", "put", "k", "--generate", "8"]])
            {
                AmaProcess.Result result = Checked(AmaProcess.Run([.. command, "--postgres", connection, "--store", "app", "--key-file", keyFile]), secret);
                KeyStoreInputTests.AssertUserError(result, 1, "PostgreSQL store 'app'");
            }

            // Control: the password check finds the password where it is: a stray token that the parser echoes, were it not masked.
            AmaProcess.Result echoed = AmaProcess.Run("keystore", "get", "a", "b", $"Password={secret}", "--postgres", $"Host={noServer}", "--store", "app");
            Assert.Equal(64, echoed.ExitCode);
            Assert.Contains("Password=***", echoed.Stderr, StringComparison.Ordinal);
            Checked(echoed, secret);
            Assert.ThrowsAny<Exception>(() => Checked(new AmaProcess.Result(64, string.Empty, $"ama: error: Unrecognized command or argument 'Password={secret}'"), secret));
        }
        finally
        {
            Directory.Delete(noServer, recursive: true);
        }
    }

    [Fact]
    public void Info_shows_the_server_but_not_its_password()
    {
        (string connection, string dbPassword) = Connection();
        string store = NewStoreName();
        Ok(Checked(AmaProcess.Run("keystore", "create", "--postgres", connection, "--store", store, "--key-file", keyFile), dbPassword));
        AmaProcess.Result info = Ok(Checked(AmaProcess.Run("keystore", "info", "--postgres", connection, "--store", store, "--key-file", keyFile), dbPassword));

        // Control: the other parts of the same connection string do reach the output.
        var settings = new NpgsqlConnectionStringBuilder(connection);
        Assert.Contains($"database {settings.Database}", info.Stdout, StringComparison.Ordinal);
        Assert.Contains($"host {settings.Host}", info.Stdout, StringComparison.Ordinal);
    }

    /// <summary>The server's connection string with a password in it: the server's own, or one added that trust authentication ignores.</summary>
    private (string ConnectionString, string Password) Connection()
    {
        var settings = new NpgsqlConnectionStringBuilder(server.ConnectionString);
        if (string.IsNullOrEmpty(settings.Password))
        {
            settings.Password = "Db-Secret-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6));
        }

        return (settings.ConnectionString, settings.Password);
    }

    private static string NewStoreName() => "cli-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));

    private static AmaProcess.Result Ok(AmaProcess.Result result) => KeyStoreFixture.Ok(result);

    /// <summary>Fails when the password shows up anywhere in what ama printed.</summary>
    private static AmaProcess.Result Checked(AmaProcess.Result result, string password)
    {
        Assert.DoesNotContain(password, result.Stdout + result.Stderr, StringComparison.OrdinalIgnoreCase);
        return result;
    }

    private string[] Files() => [.. Directory.GetFileSystemEntries(directory).Select(Path.GetFileName).Order(StringComparer.Ordinal).Cast<string>()];

    private string Write(string name, byte[] content)
    {
        string path = Path.Combine(directory, name);
        SecretFiles.WriteAllBytes(path, content);
        return path;
    }
}
