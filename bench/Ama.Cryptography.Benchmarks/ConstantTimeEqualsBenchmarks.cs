using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;

namespace Ama.Cryptography.Benchmarks;

/// <summary>
/// Issue 2: <see cref="SecureMemory.ConstantTimeEquals"/> against
/// <see cref="CryptographicOperations.FixedTimeEquals"/> and <c>Span.SequenceEqual</c>.
/// </summary>
/// <remarks>
/// The inputs are equal, in separate arrays: the case where SequenceEqual (which exits at the
/// first difference) does its full work, so its throughput is comparable.
/// </remarks>
public class ConstantTimeEqualsBenchmarks
{
    private byte[] left = [];
    private byte[] right = [];

    [Params(32, 1024, 64 * 1024)]
    public int Size { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        left = GC.AllocateArray<byte>(Size, pinned: true);
        right = GC.AllocateArray<byte>(Size, pinned: true);
        RandomNumberGenerator.Fill(left);
        left.CopyTo(right, 0);
    }

    [Benchmark(Baseline = true)]
    public bool FixedTimeEquals() => CryptographicOperations.FixedTimeEquals(left, right);

    [Benchmark]
    public bool ConstantTimeEquals() => SecureMemory.ConstantTimeEquals(left, right);

    [Benchmark]
    public bool SequenceEqual() => left.AsSpan().SequenceEqual(right);
}
