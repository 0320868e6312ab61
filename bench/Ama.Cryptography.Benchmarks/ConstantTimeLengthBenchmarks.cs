using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;

namespace Ama.Cryptography.Benchmarks;

/// <summary>
/// What the lengths alone show in <see cref="SecureMemory.ConstantTimeEquals"/>'s time: equal
/// lengths against a shorter right input, whose compare reads the longer input twice instead.
/// </summary>
public class ConstantTimeLengthBenchmarks
{
    private byte[] left = [];
    private byte[] right = [];
    private byte[] shorter = [];
    private byte[] tiny = [];

    [Params(32, 4096)]
    public int Size { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        left = GC.AllocateArray<byte>(Size, pinned: true);
        right = GC.AllocateArray<byte>(Size, pinned: true);
        RandomNumberGenerator.Fill(left);
        left.CopyTo(right, 0);
        shorter = left[..^1];
        tiny = left[..1];
    }

    [Benchmark(Baseline = true)]
    public bool EqualLengths() => SecureMemory.ConstantTimeEquals(left, right);

    [Benchmark]
    public bool RightOneByteShorter() => SecureMemory.ConstantTimeEquals(left, shorter);

    [Benchmark]
    public bool RightOneByteLong() => SecureMemory.ConstantTimeEquals(left, tiny);
}
