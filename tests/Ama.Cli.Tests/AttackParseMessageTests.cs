namespace Ama.Cli.Tests;

/// <summary>A number option given something else: the message speaks of the option and the value, not of .NET types.</summary>
public sealed class AttackParseMessageTests
{
    [Theory]
    [InlineData("get", "--version", "abc", "3")]
    [InlineData("put", "--generate", "lots", "3")]
    [InlineData("create", "--kdf-memory", "64M", "65536")]
    [InlineData("put", "--lock-timeout", "1.5", "3")]
    public void A_number_option_given_text_is_a_usage_error_naming_the_option_and_the_value(string command, string option, string value, string number)
    {
        string[] args = command == "create"
            ? ["keystore", command, "/nonexistent-dir/app.keys", option, value]
            : ["keystore", command, "/nonexistent-dir/app.keys", "entry", option, value];
        AmaProcess.Result result = AmaProcess.Run(args);
        Assert.True(result.ExitCode == 64, result.ToString());
        Assert.Contains(option, result.Stderr, StringComparison.Ordinal);
        Assert.Contains($"'{value}'", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("whole number", result.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("System.", result.Stderr, StringComparison.Ordinal);

        // Control: a number there gets past the parser to the store check (a missing directory, 66).
        string[] valid = [.. args[..^1], number];
        AmaProcess.Result parsed = AmaProcess.Run(valid);
        Assert.True(parsed.ExitCode == 66, parsed.ToString());
    }
}
