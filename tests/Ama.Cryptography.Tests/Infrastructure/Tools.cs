namespace Ama.Cryptography.Tests.Infrastructure;

/// <summary>Finds external tools; a missing tool skips a test on a laptop but fails it in CI (AMA_REQUIRE_TOOLS=1).</summary>
public static class Tools
{
    public static bool Required => Environment.GetEnvironmentVariable("AMA_REQUIRE_TOOLS") == "1";

    public static string Require(string name)
    {
        string? path = Find(name);
        if (path is not null)
        {
            return path;
        }

        if (Required)
        {
            Assert.Fail($"The tool '{name}' is required (AMA_REQUIRE_TOOLS=1) but is not installed.");
        }

        Assert.Skip($"The tool '{name}' is not installed.");
        return string.Empty;
    }

    public static string? Find(string name)
    {
        if (Path.IsPathRooted(name))
        {
            return File.Exists(name) ? name : null;
        }

        foreach (string directory in (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(':'))
        {
            string candidate = Path.Combine(directory, name);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }
}
