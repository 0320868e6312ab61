using System.Security.Cryptography;
using Ama.Cryptography.KeyManagement;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using Npgsql;

namespace Ama.Cryptography.Benchmarks;

/// <summary>
/// The PostgreSQL store's targets (issue 14), against the file store in the same run: Retrieve of a
/// cached entry the same as the file store; Open of 10,000 entries &lt; 300 ms; a 10,000-entry
/// batch &lt; 2 s; and the write rate of 4 concurrent writers. The Store round trip is in
/// <see cref="PostgreSqlStoreRoundTripBenchmarks"/>, which keeps the store's size fixed.
/// Needs AMA_POSTGRES (eng/pg-throwaway.sh with AMA_PG_TCP_PORT gives a loopback server).
/// </summary>
[MemoryDiagnoser]
[CategoriesColumn]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
public class PostgreSqlKeyStoreBenchmarks
{
    internal const string ConnectionVariable = "AMA_POSTGRES";
    private const int BigStoreEntries = 10_000;
    private const int WritesPerWriter = 50;

    private readonly byte[] material = RandomNumberGenerator.GetBytes(32);
    private string directory = string.Empty;
    private byte[] rawKey = [];
    private NpgsqlDataSource dataSource = null!;
    private string bigStoreName = string.Empty;
    private string bigStorePath = string.Empty;
    private SecureKeyStorage fileStore = null!;
    private SecureKeyStorage postgresStore = null!;

    internal static bool IsConfigured => !string.IsNullOrEmpty(Environment.GetEnvironmentVariable(ConnectionVariable));

    [GlobalSetup]
    public void Setup()
    {
        directory = Directory.CreateTempSubdirectory("ama-pg-bench-").FullName;
        rawKey = RandomNumberGenerator.GetBytes(32);
        dataSource = NpgsqlDataSource.Create(Environment.GetEnvironmentVariable(ConnectionVariable)!);
        using var credential = KeyStoreCredential.FromKey(rawKey);
        fileStore = SecureKeyStorage.Create(Path.Combine(directory, "small.amaks"), credential);
        postgresStore = PostgreSqlKeyStorage.Create(dataSource, NewStoreName(), credential);
        foreach (var storage in new[] { fileStore, postgresStore })
        {
            StoreMany(storage, 100);
        }

        bigStorePath = Path.Combine(directory, "big.amaks");
        using (var big = SecureKeyStorage.Create(bigStorePath, credential))
        {
            StoreMany(big, BigStoreEntries);
        }

        bigStoreName = NewStoreName();
        using (var big = PostgreSqlKeyStorage.Create(dataSource, bigStoreName, credential))
        {
            StoreMany(big, BigStoreEntries);
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        fileStore.Dispose();
        postgresStore.Dispose();
        PostgreSqlKeyStoreBenchmarks.DeleteBenchStores(dataSource);

        dataSource.Dispose();
        Directory.Delete(directory, recursive: true);
    }

    [Benchmark(Baseline = true, Description = "file: Retrieve (32 B, cached)")]
    [BenchmarkCategory("retrieve")]
    public void FileRetrieve()
    {
        using SecureBuffer key = fileStore.Retrieve("key-00042");
    }

    [Benchmark(Description = "PostgreSQL: Retrieve (32 B, cached)")]
    [BenchmarkCategory("retrieve")]
    public void PostgresRetrieve()
    {
        using SecureBuffer key = postgresStore.Retrieve("key-00042");
    }

    [Benchmark(Baseline = true, Description = "file: Open 10,000 entries")]
    [BenchmarkCategory("open")]
    public int FileOpen10000()
    {
        using var credential = KeyStoreCredential.FromKey(rawKey);
        using var storage = SecureKeyStorage.Open(bigStorePath, credential);
        return storage.ListKeys().Count;
    }

    [Benchmark(Description = "PostgreSQL: Open 10,000 entries")]
    [BenchmarkCategory("open")]
    public int PostgresOpen10000()
    {
        using var credential = KeyStoreCredential.FromKey(rawKey);
        using var storage = PostgreSqlKeyStorage.Open(dataSource, bigStoreName, credential);
        return storage.ListKeys().Count;
    }

    [Benchmark(Baseline = true, Description = "file: batch of 10,000 stores")]
    [BenchmarkCategory("batch")]
    public void FileBatch10000()
    {
        string path = Path.Combine(directory, Path.GetRandomFileName());
        using (var credential = KeyStoreCredential.FromKey(rawKey))
        using (var storage = SecureKeyStorage.Create(path, credential))
        {
            StoreMany(storage, BigStoreEntries);
        }

        File.Delete(path);
    }

    [Benchmark(Description = "PostgreSQL: batch of 10,000 stores")]
    [BenchmarkCategory("batch")]
    public void PostgresBatch10000()
    {
        using var credential = KeyStoreCredential.FromKey(rawKey);
        using var storage = PostgreSqlKeyStorage.Create(dataSource, NewStoreName(), credential);
        StoreMany(storage, BigStoreEntries);
    }

    /// <summary>4 writers, each its own storage instance (as 4 processes would be), 50 Stores each to one store: 200 commits per operation.</summary>
    [Benchmark(Baseline = true, Description = "file: 4 writers x 50 stores")]
    [BenchmarkCategory("writers")]
    public void FileFourWriters()
    {
        string path = Path.Combine(directory, Path.GetRandomFileName());
        using (var credential = KeyStoreCredential.FromKey(rawKey))
        {
            SecureKeyStorage.Create(path, credential).Dispose();
            RunWriters(() => SecureKeyStorage.Open(path, credential));
        }

        File.Delete(path);
    }

    [Benchmark(Description = "PostgreSQL: 4 writers x 50 stores")]
    [BenchmarkCategory("writers")]
    public void PostgresFourWriters()
    {
        string name = NewStoreName();
        using var credential = KeyStoreCredential.FromKey(rawKey);
        PostgreSqlKeyStorage.Create(dataSource, name, credential).Dispose();
        RunWriters(() => PostgreSqlKeyStorage.Open(dataSource, name, credential));
    }

    private void RunWriters(Func<SecureKeyStorage> open)
    {
        var writers = Enumerable.Range(0, 4).Select(w => Task.Run(() =>
        {
            using var storage = open();
            for (int i = 0; i < WritesPerWriter; i++)
            {
                storage.Store($"w{w}-{i}", material);
            }
        })).ToArray();
        Task.WaitAll(writers);
    }

    /// <summary>Removes the stores the benchmarks made; a run of only the file baselines on a fresh server has no tables to clean.</summary>
    internal static void DeleteBenchStores(NpgsqlDataSource dataSource)
    {
        using var drop = dataSource.CreateCommand(
            "DO $$ BEGIN IF to_regclass('ama.key_stores') IS NOT NULL THEN DELETE FROM ama.key_stores WHERE store_name LIKE 'bench-%'; END IF; END $$");
        drop.ExecuteNonQuery();
    }

    internal static string NewStoreName() => "bench-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6));

    private static void StoreMany(SecureKeyStorage storage, int count) => KeyStorageBenchmarks.StoreMany(storage, count);
}
