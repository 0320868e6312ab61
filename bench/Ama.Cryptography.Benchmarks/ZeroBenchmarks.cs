using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;

namespace Ama.Cryptography.Benchmarks;

/// <summary>
/// Issue 2: <see cref="SecureMemory.Zero(Span{byte})"/> (three passes and a read-back check)
/// against <see cref="CryptographicOperations.ZeroMemory"/> (one pass) on the same data.
/// </summary>
public class ZeroBenchmarks
{
    private byte[] data = [];

    [Params(32, 1024, 64 * 1024, 1024 * 1024)]
    public int Size { get; set; }

    [GlobalSetup]
    public void Setup() => data = GC.AllocateArray<byte>(Size, pinned: true);

    [Benchmark(Baseline = true)]
    public void ZeroMemory() => CryptographicOperations.ZeroMemory(data);

    [Benchmark]
    public void SecureMemoryZero() => SecureMemory.Zero(data.AsSpan());
}
