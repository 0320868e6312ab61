using System.Security.Cryptography;
using Ama.Cryptography.Interop;
using Ama.Cryptography.KeyManagement;
using BenchmarkDotNet.Attributes;

namespace Ama.Cryptography.Benchmarks;

/// <summary>
/// A Store into a 100,000-entry file store (issue 23: at most 30 ms). The baseline is the floor of any whole-file
/// atomic replace: the same number of bytes written to a new file, fsynced, renamed over the old one, and the
/// directory fsynced, with no key store work at all.
/// </summary>
[MemoryDiagnoser]
public class KeyStoreScaleBenchmarks
{
    private const int Entries = 100_000;

    private readonly byte[] key = RandomNumberGenerator.GetBytes(32);
    private string directory = string.Empty;
    private string storePath = string.Empty;
    private byte[] sameSize = [];
    private KeyStoreCredential credential = null!;
    private SecureKeyStorage storage = null!;
    private int next;

    [GlobalSetup]
    public void Setup()
    {
        directory = Directory.CreateTempSubdirectory("ama-ks-scale-").FullName;
        storePath = Path.Combine(directory, "keys.amaks");
        credential = KeyStoreCredential.FromKey(RandomNumberGenerator.GetBytes(32));
        using (var created = SecureKeyStorage.Create(storePath, credential))
        using (var batch = created.BeginBatch())
        {
            for (int i = 0; i < Entries; i++)
            {
                batch.Store($"key-{i:D6}", key);
            }

            batch.Commit();
        }

        storage = SecureKeyStorage.Open(storePath, credential);
        sameSize = RandomNumberGenerator.GetBytes((int)new FileInfo(storePath).Length);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        storage.Dispose();
        credential.Dispose();
        Directory.Delete(directory, recursive: true);
    }

    /// <summary>Baseline: write, fsync, rename and directory fsync of as many bytes as the store file has.</summary>
    [Benchmark(Baseline = true, Description = "atomic replace of the same bytes (floor)")]
    public void AtomicReplaceFloor()
    {
        string temp = Path.Combine(directory, "floor.tmp");
        using (var stream = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None, bufferSize: 0))
        {
            stream.Write(sameSize);
            stream.Flush(flushToDisk: true);
        }

        File.Move(temp, Path.Combine(directory, "floor.bin"), overwrite: true);
        int fd = Libc.Open(directory, 0);
        _ = Libc.Fsync(fd);
        _ = Libc.Close(fd);
    }

    /// <summary>A new version of one of the 100,000 names: a whole-file commit, as every Store is.</summary>
    [Benchmark(Description = "SecureKeyStorage.Store into 100,000 entries")]
    public int Store() => storage.Store($"key-{next++ % Entries:D6}", key);
}
