using System.Diagnostics;
using System.Globalization;
using Ama.Cryptography.Memory;
using Ama.Cryptography.Tests.Infrastructure;

namespace Ama.Cryptography.Tests.Memory;

/// <summary>
/// The mapping budget: guarded buffers stop with a clear exception before the process reaches
/// vm.max_map_count, the runtime keeps working, and undisposed buffers get finalized in time.
/// </summary>
public sealed class MappingBudgetTests
{
    [Fact]
    public void Live_guarded_buffers_stop_at_a_lowered_budget_with_an_exception_naming_the_limit()
    {
        ProcessStartInfo info = TestHost.StartInfo("alloc-mappings", ["5000", "live"]);
        info.Environment[MappingBudget.LimitVariable] = "3000";
        (int exit, string stdout, string stderr) = TestHost.Run(info);
        Assert.True(exit == 0, $"exit {exit}: {stdout} {stderr}");
        Assert.Contains("THREW 12: ", stdout, StringComparison.Ordinal);
        Assert.Contains("of the 3000 allowed (AMA_MAX_MAP_COUNT)", stdout, StringComparison.Ordinal);
        Assert.Contains("sysctl -w vm.max_map_count", stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("RLIMIT_MEMLOCK", stdout, StringComparison.Ordinal);
        Assert.True(MapsAtEnd(stdout) < 3000 - 256, stdout);
        Assert.Contains("THREAD ok", stdout, StringComparison.Ordinal);
        Assert.Contains("END", stdout, StringComparison.Ordinal);
    }

    /// <summary>
    /// Against the real limit: past half of vm.max_map_count live guarded buffers (the runtime
    /// used to abort with "Out of memory." or "Failed to create RW mapping"), and 60% of it in
    /// buffers that are never disposed (their mappings' GC pressure gets them finalized).
    /// </summary>
    [Fact]
    public void The_process_survives_the_real_map_count_limit()
    {
        int limit = int.Parse(File.ReadAllText("/proc/sys/vm/max_map_count").Trim(), CultureInfo.InvariantCulture);
        Tools.RequireThat(limit <= 1_000_000, "vm.max_map_count is near its default (65530)");
        string live = (limit / 2).ToString(CultureInfo.InvariantCulture);
        (int exit, string stdout, string stderr) = TestHost.Run(TestHost.StartInfo("alloc-mappings", [live, "live"]), TimeSpan.FromMinutes(5));
        Assert.True(exit == 0, $"exit {exit}: {stdout} {stderr}");
        Assert.Contains("THREW 12: ", stdout, StringComparison.Ordinal);
        Assert.Contains("(vm.max_map_count)", stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("RLIMIT_MEMLOCK", stdout, StringComparison.Ordinal);
        Assert.True(Allocated(stdout) > limit * 3 / 10, stdout);
        Assert.Contains("END", stdout, StringComparison.Ordinal);

        int leakCount = limit * 6 / 10;
        (exit, stdout, stderr) = TestHost.Run(TestHost.StartInfo("alloc-mappings", [leakCount.ToString(CultureInfo.InvariantCulture), "leak"]), TimeSpan.FromMinutes(5));
        Assert.True(exit == 0, $"exit {exit}: {stdout} {stderr}");
        Assert.Contains($"ALLOCATED {leakCount}", stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("THREW", stdout, StringComparison.Ordinal);

        // The GC pressure of the mappings gets dead buffers finalized as they go (measured: 759
        // mappings left at the end); without it 25,864 were still mapped, waiting for a GC.
        Assert.True(MapsAtEnd(stdout) < limit / 4, stdout);
        Assert.Contains("END", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void ENOMEM_at_the_map_count_names_the_sysctl_and_never_the_memlock_limit()
    {
        SecureMemoryException atLimit = MappingBudget.Classify("secret-memory", 4096, 12, count: 65_500, osLimit: 65_530);
        Assert.True(atLimit.MapCountExhausted);
        Assert.Contains("vm.max_map_count", atLimit.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("RLIMIT_MEMLOCK", atLimit.Message, StringComparison.Ordinal);

        // Far from the limit, ENOMEM or EAGAIN from secret memory is the locked-memory limit.
        SecureMemoryException memlock = MappingBudget.Classify("secret-memory", 4096, 12, count: 900, osLimit: 65_530);
        Assert.False(memlock.MapCountExhausted);
        Assert.Contains("RLIMIT_MEMLOCK", memlock.Message, StringComparison.Ordinal);
    }

    private static int Allocated(string stdout) => Number(stdout, "ALLOCATED ");

    private static int MapsAtEnd(string stdout) => Number(stdout, "MAPS ");

    private static int Number(string stdout, string prefix) => int.Parse(
        stdout.Split('\n').Single(l => l.StartsWith(prefix, StringComparison.Ordinal))[prefix.Length..].Trim(),
        CultureInfo.InvariantCulture);
}
