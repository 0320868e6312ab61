using Ama.Cryptography.Tests.Infrastructure;

namespace Ama.Cryptography.Tests.Memory;

/// <summary>
/// Scale and limits without CAP_IPC_LOCK: slabs keep 100,000 small buffers locked inside an
/// 8 MiB RLIMIT_MEMLOCK, and a far smaller limit degrades or throws as the policy says.
/// </summary>
public sealed class LockLimitTests
{
    private static IEnumerable<string> Unprivileged(long memlockBytes) =>
    [
        Tools.Require("prlimit"), $"--memlock={memlockBytes}:{memlockBytes}",
        Tools.Require("setpriv"), "--inh-caps=-ipc_lock", "--bounding-set=-ipc_lock", "--",
    ];

    [Fact]
    public void Hundred_thousand_buffers_stay_locked_under_8_MiB_without_CAP_IPC_LOCK()
    {
        (int exit, string stdout, string stderr) = TestHost.Run(TestHost.StartInfo("memory-scale", ["100000", "Required"], Unprivileged(8 * 1024 * 1024)));
        Assert.True(exit == 0, $"exit {exit}: {stdout} {stderr}");
        Assert.Contains("ALLOCATED 100000", stdout, StringComparison.Ordinal);
        Assert.Contains("LOCKED 100000", stdout, StringComparison.Ordinal);
        Assert.Contains("CAPIPCLOCK False", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void Best_effort_warns_and_continues_unlocked_under_a_tiny_limit()
    {
        (int exit, string stdout, string stderr) = TestHost.Run(TestHost.StartInfo("memory-scale", ["1000", "BestEffort"], Unprivileged(16 * 1024)));
        Assert.True(exit == 0, $"exit {exit}: {stdout} {stderr}");
        Assert.Contains("ALLOCATED 1000", stdout, StringComparison.Ordinal);
        Assert.Contains("LOCKED 0", stdout, StringComparison.Ordinal);
        Assert.Contains("DEGRADED 1000", stdout, StringComparison.Ordinal);
        Assert.Contains("could not be locked", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Required_throws_under_a_tiny_limit()
    {
        (int exit, string stdout, _) = TestHost.Run(TestHost.StartInfo("memory-scale", ["1000", "Required"], Unprivileged(16 * 1024)));
        Assert.Equal(3, exit);
        Assert.Contains("THREW after 0", stdout, StringComparison.Ordinal);
        Assert.Contains("RLIMIT_MEMLOCK", stdout, StringComparison.Ordinal);
    }
}
