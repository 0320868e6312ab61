namespace Ama.Cli.Tests;

/// <summary>"rotate" is what users of other key stores type; the error says which ama commands do that (issue 20, section 6).</summary>
public sealed class KeyStoreRotateHintTests
{
    [Theory]
    [InlineData("keystore", "rotate")]
    [InlineData("keystore", "rotate", "/nonexistent-dir/app.keys", "entry")]
    public void Keystore_rotate_is_a_usage_error_that_suggests_put_and_rotate_data_key(params string[] args)
    {
        AmaProcess.Result result = AmaProcess.Run(args);
        Assert.True(result.ExitCode == 64, result.ToString());
        Assert.Empty(result.Stdout);
        Assert.Contains("'rotate'", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("'put'", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("'rotate-data-key'", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("See 'ama keystore --help'", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void A_typo_still_gets_the_closest_command()
    {
        // Control: the hint table does not replace the typo correction.
        AmaProcess.Result result = AmaProcess.Run("keystore", "lsit");
        Assert.True(result.ExitCode == 64, result.ToString());
        Assert.Contains("Did you mean 'list'?", result.Stderr, StringComparison.Ordinal);
    }
}
