using System.Text.Json;

namespace Ama.Cli.Tests;

/// <summary><c>ama status</c> gives each failed check the advice that fits its cause, not a generic one.</summary>
public class StatusAdviceTests
{
    /// <summary>
    /// Without CAP_IPC_LOCK and with RLIMIT_MEMLOCK 0, memfd_secret is refused with EAGAIN: the cause is the
    /// lock limit, so booting with secretmem.enable=1 (a kernel switch that is already on) is the wrong advice.
    /// </summary>
    [Fact]
    public void Secret_memory_refused_by_the_lock_limit_advises_raising_the_limit()
    {
        AmaProcess.Result result = AmaProcess.Run(["status", "--json"], wrapper:
        [
            Tools.Require("prlimit"), "--memlock=0:0",
            Tools.Require("setpriv"), "--inh-caps=-ipc_lock", "--bounding-set=-ipc_lock", "--",
            AmaProcess.DotnetPath, AmaProcess.DllPath,
        ]);
        Dictionary<string, (string Outcome, string? Advice)> checks = Checks(result);
        Assert.NotEqual("pass", checks["secret-memory"].Outcome);
        Assert.Contains("RLIMIT_MEMLOCK", checks["secret-memory"].Advice, StringComparison.Ordinal);
        Assert.DoesNotContain("secretmem.enable", checks["secret-memory"].Advice, StringComparison.Ordinal);
        Assert.Equal("fail", checks["memory-lock"].Outcome);
        Assert.Contains("RLIMIT_MEMLOCK", checks["memory-lock"].Advice, StringComparison.Ordinal);
    }

    /// <summary>Managed memory never locks; when AMA_MEMORY_SOURCE chose it, CAP_IPC_LOCK would change nothing.</summary>
    [Fact]
    public void Managed_memory_chosen_by_the_variable_advises_unsetting_it()
    {
        AmaProcess.Result result = AmaProcess.Run(["status", "--json"], environment: new Dictionary<string, string?> { ["AMA_MEMORY_SOURCE"] = "managed" });
        Dictionary<string, (string Outcome, string? Advice)> checks = Checks(result);
        foreach (string id in (string[])["memory-lock", "secret-memory"])
        {
            Assert.Equal("fail", checks[id].Outcome);
            Assert.Contains("AMA_MEMORY_SOURCE", checks[id].Advice, StringComparison.Ordinal);
            Assert.DoesNotContain("CAP_IPC_LOCK", checks[id].Advice, StringComparison.Ordinal);
        }
    }

    /// <summary>Control: a lock failure the variable did not cause still gets the lock-limit advice.</summary>
    [Fact]
    public void Locked_pages_under_a_zero_limit_keep_the_lock_advice()
    {
        AmaProcess.Result result = AmaProcess.Run(["status", "--json"], environment: new Dictionary<string, string?> { ["AMA_MEMORY_SOURCE"] = "locked" }, wrapper:
        [
            Tools.Require("prlimit"), "--memlock=0:0",
            Tools.Require("setpriv"), "--inh-caps=-ipc_lock", "--bounding-set=-ipc_lock", "--",
            AmaProcess.DotnetPath, AmaProcess.DllPath,
        ]);
        Dictionary<string, (string Outcome, string? Advice)> checks = Checks(result);
        Assert.Equal("fail", checks["memory-lock"].Outcome);
        Assert.Contains("CAP_IPC_LOCK", checks["memory-lock"].Advice, StringComparison.Ordinal);
    }

    private static Dictionary<string, (string Outcome, string? Advice)> Checks(AmaProcess.Result result)
    {
        using JsonDocument document = JsonDocument.Parse(result.Stdout);
        return document.RootElement.GetProperty("checks").EnumerateArray().ToDictionary(
            c => c.GetProperty("id").GetString()!,
            c => (c.GetProperty("outcome").GetString()!, c.GetProperty("advice").GetString()));
    }
}
