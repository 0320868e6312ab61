using System.Text.Json;

namespace Ama.Cli.Tests;

/// <summary><c>ama status</c> run as a process: the JSON schema, exit codes, and checks that really fail when the protection is missing.</summary>
public class StatusCommandTests
{
    private static readonly string[] CheckIds =
        ["memory-lock", "secret-memory", "zero-on-dispose", "constant-time-compare", "key-use-scrubbing", "core-dumps", "dotnet-crash-dumps"];

    [Fact]
    public void Json_follows_schema_version_1_and_its_exit_code_matches_the_process()
    {
        AmaProcess.Result result = AmaProcess.Run("status", "--json");
        using JsonDocument json = JsonDocument.Parse(result.Stdout);
        JsonElement root = json.RootElement;
        Assert.Equal(1, root.GetProperty("schemaVersion").GetInt32());
        string outcome = root.GetProperty("outcome").GetString()!;
        Assert.Equal(ExpectedExitCode(outcome), result.ExitCode);
        Assert.Equal(result.ExitCode, root.GetProperty("exitCode").GetInt32());

        JsonElement status = root.GetProperty("status");
        foreach (string field in (string[])["backend", "nativeVersion", "nativeLibraryPath", "zeroingMethod", "memorySource", "secretMemoryAvailable",
            "secretMemoryProblem", "lockingWorks", "lockingProblem", "memoryLockLimitSoft", "memoryLockLimitHard", "hasIpcLockCapability",
            "coreDumpsEnabled", "coreDumpLimit", "degradedAllocations", "registerAndStackScrubbing", "registerAndStackScrubbingProblem",
            "scrubbedRegisters", "operatingSystem", "architecture"])
        {
            Assert.True(status.TryGetProperty(field, out _), $"status.{field} is missing\n{result}");
        }

        Assert.Contains(status.GetProperty("memorySource").GetString(), (string[])["secret-memory", "locked-pages", "managed"]);
        var checks = root.GetProperty("checks").EnumerateArray().ToList();
        Assert.Equal(CheckIds, checks.Select(c => c.GetProperty("id").GetString()));
        foreach (JsonElement check in checks)
        {
            string checkOutcome = check.GetProperty("outcome").GetString()!;
            Assert.Contains(checkOutcome, (string[])["pass", "warn", "fail"]);
            Assert.Equal(checkOutcome == "pass", check.GetProperty("advice").ValueKind == JsonValueKind.Null);
            Assert.False(string.IsNullOrEmpty(check.GetProperty("detail").GetString()));
        }
    }

    [Fact]
    public void Key_use_scrubbing_passes_here_and_warns_with_the_reason_when_switched_off()
    {
        AmaProcess.Result on = AmaProcess.Run("status", "--json");
        AmaProcess.Result off = AmaProcess.Run(["status", "--json"], environment: new Dictionary<string, string?> { ["AMA_SCRUB"] = "off" });

        Assert.Equal("pass", Outcomes(on)["key-use-scrubbing"]);
        Assert.Equal("warn", Outcomes(off)["key-use-scrubbing"]);
        using JsonDocument json = JsonDocument.Parse(off.Stdout);
        JsonElement status = json.RootElement.GetProperty("status");
        Assert.False(status.GetProperty("registerAndStackScrubbing").GetBoolean());
        Assert.Contains("AMA_SCRUB", status.GetProperty("registerAndStackScrubbingProblem").GetString(), StringComparison.Ordinal);
        Assert.Equal("none", status.GetProperty("scrubbedRegisters").GetString());
    }

    [Fact]
    public void Live_checks_pass_on_a_host_with_secret_memory()
    {
        AmaProcess.Result result = AmaProcess.Run("status", "--json");
        Dictionary<string, string> outcomes = Outcomes(result);
        using JsonDocument json = JsonDocument.Parse(result.Stdout);
        Tools.RequireThat(json.RootElement.GetProperty("status").GetProperty("secretMemoryAvailable").GetBoolean(), "memfd_secret works on this host");

        Assert.Equal("pass", outcomes["memory-lock"]);
        Assert.Equal("pass", outcomes["secret-memory"]);
        Assert.Equal("pass", outcomes["zero-on-dispose"]);
    }

    [Fact]
    public void Constant_time_compare_check_passes()
    {
        Dictionary<string, string> outcomes = Outcomes(AmaProcess.Run("status", "--json"), out string json);
        Assert.True(outcomes["constant-time-compare"] == "pass", json);
    }

    /// <summary>Negative control: the managed last resort is neither locked nor kept out of dumps, and the live checks must say so.</summary>
    [Fact]
    public void Managed_memory_fails_the_lock_and_dump_checks_with_exit_code_1()
    {
        AmaProcess.Result result = AmaProcess.Run(["status", "--json"], environment: new Dictionary<string, string?> { ["AMA_MEMORY_SOURCE"] = "managed" });
        Dictionary<string, string> outcomes = Outcomes(result);
        Assert.Equal("fail", outcomes["memory-lock"]);
        Assert.Equal("fail", outcomes["secret-memory"]);
        Assert.Equal(1, result.ExitCode);
    }

    [Fact]
    public void Locked_pages_warn_that_they_are_not_secret_memory()
    {
        AmaProcess.Result result = AmaProcess.Run(["status", "--json"], environment: new Dictionary<string, string?> { ["AMA_MEMORY_SOURCE"] = "locked" });
        Dictionary<string, string> outcomes = Outcomes(result);
        Assert.Equal("pass", outcomes["memory-lock"]);
        Assert.Equal("warn", outcomes["secret-memory"]);
    }

    [Fact]
    public void Core_dump_check_follows_RLIMIT_CORE()
    {
        string sh = Tools.Require("sh");
        AmaProcess.Result on = RunUnderShell(sh, "ulimit -c unlimited", "status --json");
        AmaProcess.Result off = RunUnderShell(sh, "ulimit -c 0", "status --json");
        Assert.Equal("warn", Outcomes(on)["core-dumps"]);
        Assert.Equal("pass", Outcomes(off)["core-dumps"]);
    }

    [Fact]
    public void Crash_dump_check_warns_for_createdump_without_secret_memory()
    {
        AmaProcess.Result result = AmaProcess.Run(["status", "--json"], environment: new Dictionary<string, string?>
        {
            ["AMA_MEMORY_SOURCE"] = "locked",
            ["DOTNET_DbgEnableMiniDump"] = "1",
        });
        Assert.Equal("warn", Outcomes(result)["dotnet-crash-dumps"]);
    }

    [Fact]
    public void Text_output_has_a_line_per_check_and_no_colour_when_redirected()
    {
        AmaProcess.Result result = AmaProcess.Run("status");
        Assert.Equal(ExpectedExitCode(Outcomes(AmaProcess.Run("status", "--json"))), result.ExitCode);
        foreach (string id in CheckIds)
        {
            Assert.Matches($@"(PASS|WARN|FAIL)  .*\[{id}\]", result.Stdout);
        }

        Assert.DoesNotContain("\u001b[", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("RLIMIT_MEMLOCK", result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void Colour_on_a_terminal_and_none_with_NO_COLOR()
    {
        string script = Tools.Require("script");
        string coloured = Pty.RunScript(script, AmaProcess.ShellCommand("status"), environment: null);
        string plain = Pty.RunScript(script, AmaProcess.ShellCommand("status"), environment: "NO_COLOR=1");
        Assert.Matches("\u001b\\[3[1-6]m", coloured);
        Assert.DoesNotMatch("\u001b\\[3[1-6]m", plain);
        Assert.Contains("[memory-lock]", plain, StringComparison.Ordinal);
    }

    [Fact]
    public void A_broken_native_library_still_gives_a_json_report_whose_failing_check_names_it()
    {
        AmaProcess.Result result = AmaProcess.Run(["status", "--json"], environment: new Dictionary<string, string?> { ["AMA_NATIVE_LIBRARY"] = "/nonexistent.so" });
        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.Equal(string.Empty, result.Stderr);
        using JsonDocument json = JsonDocument.Parse(result.Stdout);
        JsonElement root = json.RootElement;
        Assert.Equal(1, root.GetProperty("schemaVersion").GetInt32());
        Assert.Equal("fail", root.GetProperty("outcome").GetString());
        Assert.Equal(1, root.GetProperty("exitCode").GetInt32());
        Assert.Equal(JsonValueKind.Null, root.GetProperty("status").ValueKind);
        JsonElement check = Assert.Single(root.GetProperty("checks").EnumerateArray());
        Assert.Equal("backend", check.GetProperty("id").GetString());
        Assert.Equal("fail", check.GetProperty("outcome").GetString());
        Assert.Contains("/nonexistent.so", check.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.False(string.IsNullOrEmpty(check.GetProperty("advice").GetString()));

        // Relaxed escaping: the quotes around the path stay quotes, not \u0027.
        Assert.Contains("('/nonexistent.so')", result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void A_broken_native_library_gives_a_text_report_with_a_fail_line()
    {
        AmaProcess.Result result = AmaProcess.Run(["status"], environment: new Dictionary<string, string?> { ["AMA_NATIVE_LIBRARY"] = "/nonexistent.so" });
        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.Matches(@"FAIL  the memory backend loads \[backend\]", result.Stdout);
        Assert.Contains("/nonexistent.so", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("Result: FAIL", result.Stdout, StringComparison.Ordinal);
    }

    internal static int ExpectedExitCode(string outcome) => outcome switch
    {
        "pass" => 0,
        "warn" => 2,
        _ => 1,
    };

    private static int ExpectedExitCode(Dictionary<string, string> outcomes) =>
        outcomes.ContainsValue("fail") ? 1 : outcomes.ContainsValue("warn") ? 2 : 0;

    private static AmaProcess.Result RunUnderShell(string sh, string setup, string arguments) =>
        AmaProcess.Run([], null, null, null, wrapper: [sh, "-c", $"{setup}; exec {AmaProcess.ShellCommand(arguments)}"]);

    private static Dictionary<string, string> Outcomes(AmaProcess.Result result) => Outcomes(result, out _);

    private static Dictionary<string, string> Outcomes(AmaProcess.Result result, out string json)
    {
        json = result.Stdout;
        using JsonDocument document = JsonDocument.Parse(result.Stdout);
        return document.RootElement.GetProperty("checks").EnumerateArray()
            .ToDictionary(c => c.GetProperty("id").GetString()!, c => c.GetProperty("outcome").GetString()!);
    }
}
