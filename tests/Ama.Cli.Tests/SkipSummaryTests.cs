namespace Ama.Cli.Tests;

/// <summary>
/// A test that skips for want of a tool must not pass unnoticed: <c>dotnet test</c> ends with a line
/// that counts the skips and names what was missing (tests/Directory.Build.targets).
/// </summary>
public class SkipSummaryTests : IDisposable
{
    // A test that needs `script` (bsdutils) and nothing else before it asks for it.
    private const string SkippingTest = "Ama.Cli.Tests.CliBasicsTests.Bench_table_shows_progress_on_a_terminal";

    private readonly string directory = Directory.CreateTempSubdirectory("ama-skips-").FullName;

    public void Dispose()
    {
        Directory.Delete(directory, recursive: true);
        GC.SuppressFinalize(this);
    }

    [Fact]
    public void Dotnet_test_ends_with_a_summary_of_the_skips_and_their_reasons()
    {
        AmaProcess.Result result = RunSkippingTest();

        const string summary = "Ama.Cli.Tests: 1 tests skipped, for want of: the tool 'script' is installed (1).";
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("Skipped:     1", result.Stdout, StringComparison.Ordinal);
        Assert.Contains(summary, result.Stdout, StringComparison.Ordinal);
        Assert.True(result.Stdout.IndexOf(summary, StringComparison.Ordinal) > result.Stdout.IndexOf("Total:", StringComparison.Ordinal), result.Stdout);
        Assert.Contains("README.md lists the tools to install", result.Stdout, StringComparison.Ordinal);
    }

    /// <summary>Runs one test through the README's <c>dotnet test</c>, on a PATH that holds only dotnet, so <c>script</c> is missing.</summary>
    private AmaProcess.Result RunSkippingTest()
    {
        string bin = Directory.CreateDirectory(Path.Combine(directory, "bin")).FullName;
        string dotnet = Path.GetFullPath(DotnetCommand.DotnetPath);
        File.CreateSymbolicLink(Path.Combine(bin, "dotnet"), new FileInfo(dotnet).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? dotnet);
        string configuration = Path.GetFileName(Path.GetDirectoryName(AppContext.BaseDirectory.TrimEnd('/'))!);
        var environment = new Dictionary<string, string?>
        {
            ["PATH"] = bin,
            ["AMA_REQUIRE_TOOLS"] = null,
            // Its own skip log, so that this run does not touch the one of the run it is part of.
            [Tools.SkipLogVariable] = Path.Combine(directory, "skipped.txt"),
        };
        return DotnetCommand.Run(
            dotnet,
            ["test", Path.Combine(AmaProcess.RepoRoot, "tests", "Ama.Cli.Tests"), "--no-build", "-c", configuration, "--filter", $"FullyQualifiedName={SkippingTest}"],
            environment,
            TimeSpan.FromMinutes(2));
    }
}
