using System.Runtime.InteropServices;
using Ama.Cryptography.Benchmarks.Interop;
using BenchmarkDotNet.Attributes;

namespace Ama.Cryptography.Benchmarks;

/// <summary>
/// Issue 10, item 9: growing to 200,000 live 32-byte buffers with locked memory to spare, and
/// with RLIMIT_MEMLOCK at 64 KiB, where BestEffort serves almost every buffer from unlocked
/// pages. Target: the degraded path at most 3x the locked one.
/// </summary>
/// <remarks>
/// Run it without CAP_IPC_LOCK and with a hard RLIMIT_MEMLOCK of at least 64 MiB (the command
/// is in docs/benchmarks.md); each case lowers its own soft limit in its own process. The
/// global setup refuses to run when the case would not measure what it is named for.
/// </remarks>
[InvocationCount(1)]
public class DegradedAllocationBenchmarks
{
    private const int Count = 200_000;
    private const int Size = 32;
    private const ulong DegradedLimit = 64 * 1024;
    private const ulong LockedLimit = 64 * 1024 * 1024;

    private readonly SecureBuffer[] live = new SecureBuffer[Count];

    [Params("locked", "degraded")]
    public string Memory { get; set; } = "locked";

    [GlobalSetup]
    public void Setup()
    {
        if (SecureMemory.GetStatus().HasIpcLockCapability)
        {
            throw new InvalidOperationException("CAP_IPC_LOCK ignores RLIMIT_MEMLOCK: run under setpriv --inh-caps=-ipc_lock --bounding-set=-ipc_lock.");
        }

        SetSoftMemlock(Memory == "degraded" ? DegradedLimit : LockedLimit);
        Grow();
        bool lastLocked = live[^1].IsLocked;
        Console.WriteLine($"// {Memory}: last buffer {live[^1]}, source {live[^1].Source}, degraded so far {SecureMemory.GetStatus().DegradedAllocations}");
        if (lastLocked != (Memory == "locked"))
        {
            throw new InvalidOperationException($"The {Memory} case got {live[^1]}.");
        }

        Release();
    }

    [Benchmark(OperationsPerInvoke = Count)]
    public void GrowTo200kLiveBuffers() => Grow();

    [IterationCleanup]
    public void Release()
    {
        foreach (SecureBuffer buffer in live)
        {
            buffer.Dispose();
        }
    }

    private static void SetSoftMemlock(ulong bytes)
    {
        if (ResourceLimits.GetRLimit(ResourceLimits.RLIMIT_MEMLOCK, out ResourceLimits.RLimit limit) != 0)
        {
            throw new InvalidOperationException($"getrlimit failed: errno {Marshal.GetLastPInvokeError()}");
        }

        if (limit.Maximum < bytes)
        {
            throw new InvalidOperationException($"The hard RLIMIT_MEMLOCK ({limit.Maximum} bytes) is below {bytes}: run under prlimit --memlock={LockedLimit}:{LockedLimit}.");
        }

        limit.Current = bytes;
        if (ResourceLimits.SetRLimit(ResourceLimits.RLIMIT_MEMLOCK, limit) != 0)
        {
            throw new InvalidOperationException($"setrlimit failed: errno {Marshal.GetLastPInvokeError()}");
        }
    }

    private void Grow()
    {
        for (int i = 0; i < Count; i++)
        {
            live[i] = new SecureBuffer(Size);
        }
    }
}
