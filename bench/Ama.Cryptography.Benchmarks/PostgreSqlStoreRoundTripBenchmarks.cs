using System.Security.Cryptography;
using Ama.Cryptography.KeyManagement;
using BenchmarkDotNet.Attributes;
using Npgsql;

namespace Ama.Cryptography.Benchmarks;

/// <summary>
/// One Store, committed and durable, into a store of 100 entries: PostgreSQL (target median ≤ 2 ms)
/// against the file store. Each iteration starts from fresh 100-entry stores and makes 50 Stores,
/// so the image a commit writes stays the same size throughout the run.
/// </summary>
[MemoryDiagnoser]
[InvocationCount(50)]
public class PostgreSqlStoreRoundTripBenchmarks
{
    private readonly byte[] material = RandomNumberGenerator.GetBytes(32);
    private string directory = string.Empty;
    private byte[] rawKey = [];
    private NpgsqlDataSource dataSource = null!;
    private SecureKeyStorage fileStore = null!;
    private SecureKeyStorage postgresStore = null!;
    private int counter;

    [GlobalSetup]
    public void Setup()
    {
        directory = Directory.CreateTempSubdirectory("ama-pg-store-bench-").FullName;
        rawKey = RandomNumberGenerator.GetBytes(32);
        dataSource = NpgsqlDataSource.Create(Environment.GetEnvironmentVariable(PostgreSqlKeyStoreBenchmarks.ConnectionVariable)!);
    }

    [IterationSetup(Target = nameof(FileStore))]
    public void NewFileStore()
    {
        fileStore?.Dispose();
        using var credential = KeyStoreCredential.FromKey(rawKey);
        fileStore = SecureKeyStorage.Create(Path.Combine(directory, Path.GetRandomFileName()), credential);
        KeyStorageBenchmarks.StoreMany(fileStore, 100);
    }

    [IterationSetup(Target = nameof(PostgresStore))]
    public void NewPostgresStore()
    {
        postgresStore?.Dispose();
        using var credential = KeyStoreCredential.FromKey(rawKey);
        postgresStore = PostgreSqlKeyStorage.Create(dataSource, PostgreSqlKeyStoreBenchmarks.NewStoreName(), credential);
        KeyStorageBenchmarks.StoreMany(postgresStore, 100);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        fileStore?.Dispose();
        postgresStore?.Dispose();
        PostgreSqlKeyStoreBenchmarks.DeleteBenchStores(dataSource);

        dataSource.Dispose();
        Directory.Delete(directory, recursive: true);
    }

    [Benchmark(Baseline = true, Description = "file: Store round trip")]
    public int FileStore() => fileStore.Store(NextName(), material);

    [Benchmark(Description = "PostgreSQL: Store round trip")]
    public int PostgresStore() => postgresStore.Store(NextName(), material);

    private string NextName() => $"key-{Interlocked.Increment(ref counter) % 100:D5}";
}
