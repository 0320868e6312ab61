using System.Security.Cryptography;
using Ama.Cryptography.PostgreSql.Tests.Infrastructure;
using Npgsql;

namespace Ama.Cli.Tests;

/// <summary><c>ama encrypt</c> and <c>ama decrypt</c> with the key in a named store in a real PostgreSQL server (AMA_POSTGRES, or a throwaway cluster).</summary>
public sealed class EncryptPostgresTests(PostgresServer server) : IClassFixture<PostgresServer>, IDisposable
{
    private readonly string directory = Directory.CreateTempSubdirectory("ama-enc-pg-").FullName;

    public void Dispose() => Directory.Delete(directory, recursive: true);

    [Fact]
    public void Round_trip_with_the_key_in_postgres_and_a_rotation_in_between()
    {
        var settings = new NpgsqlConnectionStringBuilder(server.ConnectionString);
        if (string.IsNullOrEmpty(settings.Password))
        {
            settings.Password = "Db-Secret-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6));
        }

        string store = "cli-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));
        string keyFile = Path.Combine(directory, "master.key");
        SecretFiles.WriteAllBytes(keyFile, RandomNumberGenerator.GetBytes(32));
        AmaProcess.Result Run(params string[] args)
        {
            AmaProcess.Result result = AmaProcess.Run([.. args, "--postgres", settings.ConnectionString, "--store", store, "--key-file", keyFile]);
            Assert.DoesNotContain(settings.Password, result.Stdout + result.Stderr, StringComparison.OrdinalIgnoreCase);
            return KeyStoreFixture.Ok(result);
        }

        byte[] before = RandomNumberGenerator.GetBytes(300_000);
        byte[] after = RandomNumberGenerator.GetBytes(5);
        string first = Path.Combine(directory, "first.ama");
        string second = Path.Combine(directory, "second.ama");
        File.WriteAllBytes(Path.Combine(directory, "before.bin"), before);
        File.WriteAllBytes(Path.Combine(directory, "after.bin"), after);

        Run("keystore", "create");
        Run("keystore", "put", "data-key", "--generate", "32");
        Run("encrypt", "--key", "data-key", "--output", first, Path.Combine(directory, "before.bin"));
        Run("keystore", "put", "data-key", "--generate", "32");
        Run("encrypt", "--key", "data-key", "--output", second, Path.Combine(directory, "after.bin"));
        Run("decrypt", "--key", "data-key", "--output", Path.Combine(directory, "first.out"), first);
        Run("decrypt", "--key", "data-key", "--output", Path.Combine(directory, "second.out"), second);

        Assert.Equal(before, File.ReadAllBytes(Path.Combine(directory, "first.out")));
        Assert.Equal(after, File.ReadAllBytes(Path.Combine(directory, "second.out")));
    }
}
