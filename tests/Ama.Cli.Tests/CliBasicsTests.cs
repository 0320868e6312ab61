using System.Text.Json;

namespace Ama.Cli.Tests;

/// <summary>Help on every command, usage errors, and the benchmark.</summary>
public class CliBasicsTests
{
    public static TheoryData<string> Commands => new(
        "", "status", "bench", "keystore", "keystore create", "keystore put", "keystore get", "keystore list",
        "keystore delete", "keystore versions", "keystore passwd", "keystore rotate-data-key", "keystore info");

    [Theory]
    [MemberData(nameof(Commands))]
    public void Every_command_has_help_with_examples(string command)
    {
        AmaProcess.Result result = AmaProcess.Run([.. command.Split(' ', StringSplitOptions.RemoveEmptyEntries), "--help"]);
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("Usage:", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("Examples:\n  ama ", result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void Unknown_command_is_one_line_and_exit_64()
    {
        KeyStoreInputTests.AssertUserError(AmaProcess.Run("frobnicate"), 64, "frobnicate");
    }

    [Theory]
    [InlineData("stauts", "status")]
    [InlineData("keystore lsit", "list")]
    [InlineData("keystore list x.keys --pasword-file pw", "--password-file")]
    public void Mistyped_commands_and_options_get_a_suggestion(string command, string suggestion)
    {
        KeyStoreInputTests.AssertUserError(AmaProcess.Run(command.Split(' ')), 64, $"Did you mean '{suggestion}'?");
    }

    [Fact]
    public void A_rejected_choice_is_listed_on_one_line_without_tabs()
    {
        AmaProcess.Result result = AmaProcess.Run("keystore", "get", "x.keys", "k", "--format", "pem");
        KeyStoreInputTests.AssertUserError(result, 64, "'hex' 'base64' 'raw'");
        Assert.DoesNotContain("\t", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Unknown_option_names_the_command_to_get_help_on()
    {
        KeyStoreInputTests.AssertUserError(AmaProcess.Run("status", "--bogus"), 64, "See 'ama status --help'");
    }

    [Fact]
    public void Missing_argument_is_a_usage_error()
    {
        KeyStoreInputTests.AssertUserError(AmaProcess.Run("keystore", "get", "x.keys"), 64, "ama keystore get --help");
    }

    private static readonly string[] BaseRows = ["compare 32 B", "compare 4 KiB", "zero 32 B", "zero 4 KiB", "allocate+free 32 B", "allocate+free 4 KiB"];

    /// <summary>The rows of primitives this host supports, in the order ama bench runs them.</summary>
    private static string[] OptionalRows() =>
    [
        .. Ama.Cryptography.SecureAesGcm.IsSupported ? (string[])["AES-GCM 64 B", "AES-GCM 16 KiB"] : [],
        .. Ama.Cryptography.SecureHmac.IsSupported ? (string[])["hmac-sha256 64 B", "hmac-sha256 16 KiB"] : [],
    ];

    [Fact]
    public void Bench_quick_json_has_every_operation_with_positive_times()
    {
        AmaProcess.Result result = AmaProcess.Run("bench", "--quick", "--json");
        Assert.True(result.ExitCode == 0, result.ToString());
        using JsonDocument json = JsonDocument.Parse(result.Stdout);
        var rows = json.RootElement.GetProperty("results").EnumerateArray().ToList();
        Assert.Equal(
            [.. BaseRows, .. OptionalRows()],
            rows.Select(r => r.GetProperty("name").GetString()));
        Assert.All(rows, r => Assert.True(r.GetProperty("libraryNanoseconds").GetDouble() > 0 && r.GetProperty("baselineNanoseconds").GetDouble() > 0));
        Assert.Equal(string.Empty, result.Stderr);
    }

    [Fact]
    public void Bench_table_shows_progress_on_a_terminal()
    {
        string script = Tools.Require("script");
        string transcript = Pty.RunScript(script, AmaProcess.ShellCommand("bench --quick"), "NO_COLOR=1", out int exitCode);
        Assert.Equal(0, exitCode);
        int steps = 2 * (BaseRows.Length + OptionalRows().Length);
        Assert.Contains($"[1/{steps}] measuring compare 32 B", transcript, StringComparison.Ordinal);
        Assert.Matches(@"compare 4 KiB\s+\S+ [nu]s\s+FixedTimeEquals\s+\S+ [nu]s\s+\d+\.\d\dx", transcript);
    }
}
