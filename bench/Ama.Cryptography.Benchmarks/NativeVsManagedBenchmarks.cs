using System.Security.Cryptography;
using Ama.Cryptography.Memory;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;

namespace Ama.Cryptography.Benchmarks;

/// <summary>
/// Issue 4: the managed compare and three-pass overwrite against the native library's
/// <c>ama_consttime_memcmp</c> and <c>ama_secure_memzero</c>, called the way the library calls them
/// (<see cref="NativeBackend"/>: without the GC transition up to 16 KiB). Runs only when
/// AMA_NATIVE_LIBRARY names the built library.
/// </summary>
/// <remarks>Neither side includes the read-back check, so both do the same three passes.</remarks>
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public unsafe class NativeVsManagedBenchmarks
{
    private byte[] left = [];
    private byte[] right = [];

    [Params(32, 1024, 64 * 1024)]
    public int Size { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        NativeLibraryRequirement.EnsureActive();
        left = GC.AllocateArray<byte>(Size, pinned: true);
        right = GC.AllocateArray<byte>(Size, pinned: true);
        RandomNumberGenerator.Fill(left);
        left.CopyTo(right, 0);
    }

    [Benchmark(Baseline = true)]
    [BenchmarkCategory("Compare")]
    public uint ManagedCompare()
    {
        fixed (byte* a = left)
        fixed (byte* b = right)
        {
            return ConstantTime.Accumulate(a, b, (nuint)Size);
        }
    }

    [Benchmark]
    [BenchmarkCategory("Compare")]
    public uint NativeCompare()
    {
        fixed (byte* a = left)
        fixed (byte* b = right)
        {
            return NativeBackend.ConstantTimeDiffers(a, b, (nuint)Size);
        }
    }

    [Benchmark(Baseline = true)]
    [BenchmarkCategory("Zero")]
    public void ManagedZero() => Zeroing.OverwriteManaged(left);

    [Benchmark]
    [BenchmarkCategory("Zero")]
    public void NativeZero() => NativeBackend.Memzero(left);
}
