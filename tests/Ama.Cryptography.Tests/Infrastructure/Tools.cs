namespace Ama.Cryptography.Tests.Infrastructure;

/// <summary>Finds external tools; a missing tool skips a test on a laptop but fails it in CI (AMA_REQUIRE_TOOLS=1).</summary>
public static class Tools
{
    public static bool Required => Environment.GetEnvironmentVariable("AMA_REQUIRE_TOOLS") == "1";

    public static string Require(string name)
    {
        string? path = Find(name);
        RequireThat(path is not null, $"the tool '{name}' is installed");
        return path ?? string.Empty;
    }

    /// <summary>Skips the test on a laptop that lacks <paramref name="what"/>, and fails it in CI.</summary>
    public static void RequireThat(bool present, string what)
    {
        if (present)
        {
            return;
        }

        if (Required)
        {
            Assert.Fail($"This test requires that {what} (AMA_REQUIRE_TOOLS=1), and it is not so.");
        }

        RecordSkip(what);
        Assert.Skip($"Skipped: this test requires that {what}.");
    }

    /// <summary>
    /// The file the skip reasons go to, one line per skipped test; the target in
    /// tests/Directory.Build.targets sums it up at the end of <c>dotnet test</c>.
    /// </summary>
    public static string SkipLogPath =>
        Environment.GetEnvironmentVariable(SkipLogVariable) is { Length: > 0 } path
            ? path
            : Path.Combine(AppContext.BaseDirectory, "ama-skipped-tests.txt");

    public const string SkipLogVariable = "AMA_TEST_SKIP_LOG";

    private static readonly Lock SkipLogLock = new();

    private static void RecordSkip(string what)
    {
        lock (SkipLogLock)
        {
            File.AppendAllText(SkipLogPath, what.ReplaceLineEndings(" ") + "\n");
        }
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
