using System.Runtime.CompilerServices;
using Ama.Cryptography.Interop;
using Ama.Cryptography.Memory;
using BenchmarkDotNet.Attributes;

namespace Ama.Cryptography.Benchmarks;

/// <summary>
/// Issue 4: the fixed cost of one call into the native library (<c>ama_abi_version</c> does no
/// work), against an empty managed call that the JIT may not inline.
/// </summary>
public class PInvokeOverheadBenchmarks
{
    [GlobalSetup]
    public void Setup() => NativeLibraryRequirement.EnsureActive();

    [Benchmark(Baseline = true)]
    public uint ManagedEmptyCall() => EmptyManaged();

    [Benchmark]
    public uint NativeEmptyCall() => NativeBackend.EmptyCall();

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static uint EmptyManaged() => AmaNative.ExpectedAbiVersion;
}
