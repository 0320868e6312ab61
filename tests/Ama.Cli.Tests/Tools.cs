namespace Ama.Cli.Tests;

/// <summary>Finds external tools; a missing tool skips a test on a laptop but fails it in CI (AMA_REQUIRE_TOOLS=1).</summary>
public static class Tools
{
    public static string Require(string name)
    {
        foreach (string directory in (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(':'))
        {
            string candidate = Path.Combine(directory, name);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        if (Environment.GetEnvironmentVariable("AMA_REQUIRE_TOOLS") == "1")
        {
            Assert.Fail($"The tool '{name}' is required (AMA_REQUIRE_TOOLS=1) but is not installed.");
        }

        Assert.Skip($"The tool '{name}' is not installed.");
        return string.Empty;
    }
}
