using System.Globalization;
using System.Runtime.InteropServices;
using Ama.Cryptography.Tests.Infrastructure;

namespace Ama.Cryptography.Tests.SecureMemoryFunctions;

/// <summary>Each GetStatus field against a source the library does not use: prlimit's arguments, /proc/self/limits, uname.</summary>
public class StatusTests
{
    private static readonly string[] NoIpcLock = ["setpriv", "--inh-caps=-ipc_lock", "--bounding-set=-ipc_lock"];

    [Fact]
    public void Memory_lock_limits_match_proc_self_limits()
    {
        SecureMemoryStatus status = SecureMemory.GetStatus();
        (ulong? soft, ulong? hard) = ProcLimits("Max locked memory");

        Assert.Equal(soft, status.MemoryLockLimitSoft);
        Assert.Equal(hard, status.MemoryLockLimitHard);
    }

    [Theory]
    [InlineData("65536:131072", "65536", "131072")]
    [InlineData("0", "0", "0")]
    public void Memory_lock_limits_match_what_prlimit_set(string limits, string soft, string hard)
    {
        Dictionary<string, string> status = ChildStatus(["prlimit", $"--memlock={limits}"]);

        Assert.Equal(soft, status["memlock-soft"]);
        Assert.Equal(hard, status["memlock-hard"]);
    }

    [Fact]
    public void Without_CAP_IPC_LOCK_and_with_no_memlock_budget_the_lock_probe_fails_and_says_why()
    {
        Dictionary<string, string> status = ChildStatus([.. NoIpcLock, "prlimit", "--memlock=0"]);

        Assert.Equal("False", status["ipc-lock"]);
        Assert.Equal("False", status["locking-works"]);
        Assert.Contains("errno", status["locking-problem"], StringComparison.Ordinal);
    }

    [Fact]
    public void Control_without_CAP_IPC_LOCK_but_with_a_budget_the_lock_probe_works()
    {
        Dictionary<string, string> status = ChildStatus([.. NoIpcLock, "prlimit", $"--memlock={1024 * 1024}"]);

        Assert.Equal("False", status["ipc-lock"]);
        Assert.Equal("True", status["locking-works"]);
        Assert.Equal(string.Empty, status["locking-problem"]);
    }

    [Fact]
    public void Ipc_lock_capability_matches_the_capability_set_of_an_unrestricted_child()
    {
        // The test process's own effective set, read here independently, decides what an unrestricted child holds.
        string capEff = File.ReadLines("/proc/self/status").Single(l => l.StartsWith("CapEff:", StringComparison.Ordinal))[7..].Trim();
        bool expected = (Convert.ToUInt64(capEff, 16) & (1UL << 14)) != 0;

        Dictionary<string, string> status = ChildStatus([]);

        Assert.Equal(expected.ToString(), status["ipc-lock"]);
        Assert.Equal(expected, SecureMemory.GetStatus().HasIpcLockCapability);
    }

    [Theory]
    [InlineData("0", "False", "0")]
    [InlineData("12345", "True", "12345")]
    [InlineData("unlimited", "True", "unlimited")]
    public void Core_dump_setting_matches_what_prlimit_set(string core, string enabled, string limit)
    {
        Dictionary<string, string> status = ChildStatus(["prlimit", $"--core={core}"]);

        Assert.Equal(enabled, status["core-dumps"]);
        Assert.Equal(limit, status["core-limit"]);
    }

    [Fact]
    public void Locking_works_in_this_test_process_when_it_may_lock_a_page()
    {
        SecureMemoryStatus status = SecureMemory.GetStatus();
        (ulong? soft, _) = ProcLimits("Max locked memory");
        bool mayLock = status.HasIpcLockCapability || soft is null || soft >= (ulong)(4 * Environment.SystemPageSize);

        Assert.Equal(mayLock, status.LockingWorks);
        Assert.Equal(mayLock, status.LockingProblem is null);
    }

    [Fact]
    public void Operating_system_and_architecture_match_uname()
    {
        SecureMemoryStatus status = SecureMemory.GetStatus();
        // .NET describes Linux by the distribution's PRETTY_NAME, falling back to the kernel.
        string? prettyName = File.Exists("/etc/os-release")
            ? File.ReadLines("/etc/os-release").FirstOrDefault(l => l.StartsWith("PRETTY_NAME=", StringComparison.Ordinal))?[12..].Trim('"')
            : null;
        string expectedName = prettyName ?? File.ReadAllText("/proc/sys/kernel/osrelease").Trim();
        Architecture expected = Run("uname", "-m").Trim() switch
        {
            "x86_64" => Architecture.X64,
            "aarch64" => Architecture.Arm64,
            string other => throw new InvalidOperationException($"unknown machine {other}"),
        };

        Assert.Contains(expectedName, status.OperatingSystem, StringComparison.Ordinal);
        Assert.Equal(expected, status.Architecture);
    }

    [Fact]
    public void Zeroing_method_names_the_three_passes_and_the_active_backend()
    {
        SecureMemoryStatus status = SecureMemory.GetStatus();

        Assert.Contains("0x00/0xFF/0x00", status.ZeroingMethod, StringComparison.Ordinal);
        Assert.Contains(status.Backend == SecureMemoryBackend.Native ? "native" : "managed", status.ZeroingMethod, StringComparison.Ordinal);
    }

    private static Dictionary<string, string> ChildStatus(string[] wrapper)
    {
        foreach (string tool in wrapper.Where(w => !w.StartsWith('-')).Intersect(["setpriv", "prlimit"]))
        {
            Tools.Require(tool);
        }

        (int exitCode, string stdout, string stderr) = TestHost.Run(TestHost.StartInfo("lock-status", [], wrapper));
        Assert.True(exitCode == 0, $"exit {exitCode}: {stderr}");
        return stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Where(l => l.Contains(": ", StringComparison.Ordinal) || l.EndsWith(':'))
            .Select(l => l.Split(':', 2))
            .ToDictionary(p => p[0], p => p[1].Trim());
    }

    /// <summary>Soft and hard limit from /proc/self/limits; null for "unlimited".</summary>
    private static (ulong? Soft, ulong? Hard) ProcLimits(string name)
    {
        string line = File.ReadLines("/proc/self/limits").Single(l => l.StartsWith(name, StringComparison.Ordinal));
        string[] fields = line[name.Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return (Parse(fields[0]), Parse(fields[1]));

        static ulong? Parse(string value) => value == "unlimited" ? null : ulong.Parse(value, CultureInfo.InvariantCulture);
    }

    private static string Run(string file, string argument)
    {
        using var process = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo(file, argument) { RedirectStandardOutput = true })!;
        string output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return output;
    }
}
