using Ama.Cryptography.DataProtection.Tests.Infrastructure;
using Ama.Cryptography.KeyManagement;
using Ama.Cryptography.PostgreSql.Tests.Infrastructure;

namespace Ama.Cryptography.PostgreSql.Tests;

/// <summary>
/// The Data Protection repository and key encryptor of Ama.Cryptography.DataProtection on this
/// backend: two processes (tests/Ama.DataProtectionProbe) share one key ring kept in a PostgreSQL store.
/// </summary>
public sealed class DataProtectionOnPostgresTests(PostgresServer server) : IDisposable
{
    private readonly string directory = Directory.CreateTempSubdirectory("ama-dp-pg-").FullName;

    [Fact]
    public void Two_processes_share_one_key_ring_on_PostgreSQL()
    {
        string store = TestStores.NewName();
        string keyFile = CreateStore(store);

        var first = Probe.Run(Environment(store, keyFile), "protect", "shared through PostgreSQL");
        Assert.True(first.ExitCode == 0, first.Stderr);
        var second = Probe.Run(Environment(store, keyFile), "unprotect", first.Stdout);
        Assert.True(second.ExitCode == 0, second.Stderr);
        Assert.Equal("shared through PostgreSQL", second.Stdout);

        // The key ring is in the database: one key element and the KEK, as sealed entries of the store.
        using var dataSource = server.CreateDataSource();
        using var credential = KeyStoreCredential.FromKey(File.ReadAllBytes(keyFile));
        using var storage = PostgreSqlKeyStorage.Open(dataSource, store, credential);
        Assert.Contains("dataprotection-kek", storage.ListKeys());
        Assert.Equal(2, storage.ListKeys().Count);

        // Control: a process on another store of the same database cannot unprotect the payload.
        string other = TestStores.NewName();
        string otherKeyFile = CreateStore(other);
        var outsider = Probe.Run(Environment(other, otherKeyFile), "unprotect", first.Stdout);
        Assert.NotEqual(0, outsider.ExitCode);
        Assert.Contains("CryptographicException", outsider.Stderr, StringComparison.Ordinal);
    }

    public void Dispose() => Directory.Delete(directory, recursive: true);

    private string CreateStore(string store)
    {
        byte[] key = TestStores.NewKey();
        string keyFile = Path.Combine(directory, store + ".key");
        File.WriteAllBytes(keyFile, key);
        if (!OperatingSystem.IsWindows())
        {
            // The host refuses a key file others can read.
            File.SetUnixFileMode(keyFile, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        using var dataSource = server.CreateDataSource();
        using var credential = KeyStoreCredential.FromKey(key);
        PostgreSqlKeyStorage.Create(dataSource, store, credential).Dispose();
        return keyFile;
    }

    private Dictionary<string, string> Environment(string store, string keyFile) => new()
    {
        ["AMA_PROBE_POSTGRES"] = server.ConnectionString,
        ["AMA_PROBE_STORE"] = store,
        ["AMA_PROBE_KEY_FILE"] = keyFile,
    };
}
