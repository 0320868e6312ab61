using System.Security.Cryptography;

namespace Ama.Cli.Tests;

/// <summary>
/// Connection strings an outsider gives <c>ama keystore --postgres</c> that parse but cannot be used:
/// no host, or a mode the store does not support. Each must be a usage error (64) that names what is
/// wrong, before any connection or prompt, never an internal error (70), and never show the password.
/// </summary>
public sealed class AttackKeyStorePostgresTests : IDisposable
{
    private const string DbPassword = "Attack-Db-Secret-4417";
    private readonly string directory = Directory.CreateTempSubdirectory("ama-ks-pg-attack-").FullName;
    private readonly string keyFile;

    public AttackKeyStorePostgresTests()
    {
        keyFile = Path.Combine(directory, "master.key");
        SecretFiles.WriteAllBytes(keyFile, RandomNumberGenerator.GetBytes(32));
    }

    public void Dispose() => Directory.Delete(directory, recursive: true);

    [Theory]
    [InlineData("", "Host")]
    [InlineData("Database=keys;Username=app;Password=" + DbPassword, "Host")]
    [InlineData("Host=;Database=keys;Password=" + DbPassword, "Host")]
    [InlineData("Host=127.0.0.1;Port=1;Multiplexing=true;Password=" + DbPassword, "Multiplexing")]
    public void A_connection_string_without_a_host_or_with_multiplexing_is_a_usage_error_naming_it(string connection, string named)
    {
        foreach (string command in new[] { "list", "create" })
        {
            AmaProcess.Result result = AmaProcess.Run(["keystore", command, "--postgres", connection, "--store", "app", "--key-file", keyFile], workingDirectory: directory);
            Assert.True(result.ExitCode == 64, $"{command}: {result}");
            Assert.Contains(named, result.Stderr, StringComparison.Ordinal);
            Assert.DoesNotContain("internal error", result.Stderr, StringComparison.Ordinal);
            Assert.DoesNotContain(DbPassword, result.Stdout + result.Stderr, StringComparison.Ordinal);
        }

        // Control: a usable connection string to a port nobody listens on gets past these checks to the server (exit 1).
        AmaProcess.Result reached = AmaProcess.Run(["keystore", "list", "--postgres", "Host=127.0.0.1;Port=1;Timeout=1;Password=" + DbPassword, "--store", "app", "--key-file", keyFile], workingDirectory: directory);
        Assert.True(reached.ExitCode == 1, reached.ToString());
        Assert.DoesNotContain(DbPassword, reached.Stdout + reached.Stderr, StringComparison.Ordinal);
    }
}
