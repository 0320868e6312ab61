using Npgsql;

namespace Ama.Cli.Tests;

/// <summary>
/// A connection string's password is masked by where the connection-string rules say it ends, so
/// quotes, semicolons, spaces and '=' in it never leave part of it in a message (issue 20, section 6).
/// </summary>
public sealed class ConnectionStringMaskingTests
{
    // Every password carries the marker, so a partly masked password still shows.
    private const string Marker = "Hunter2xyz";

    public static TheoryData<string> Passwords => new()
    {
        "ab'" + Marker,
        "it's;a \"" + Marker + "\"",
        "p=q r;s " + Marker,
        "\"dq'sq;x" + Marker,
        "''" + Marker + "''",
        Marker + " =;'\"",
    };

    [Theory]
    [MemberData(nameof(Passwords))]
    public void A_password_quoted_by_the_connection_string_rules_appears_in_no_message(string password)
    {
        // The builder quotes the value as Npgsql would read it back.
        var builder = new NpgsqlConnectionStringBuilder { Host = "/nonexistent-socket-dir", Database = "keys", Username = "app", Password = password };
        string connection = builder.ConnectionString;
        Assert.Equal(password, new NpgsqlConnectionStringBuilder(connection).Password);

        // The parser echoes the stray token (the whole connection string) before any option is read.
        AssertHidden(AmaProcess.Run("keystore", "get", "a", "b", connection, "--postgres", connection, "--store", "app"), 64, password);

        // The option value reaches ama's own check, which refuses Multiplexing.
        AssertHidden(AmaProcess.Run("keystore", "list", "--postgres", connection + ";Multiplexing=true", "--store", "app", "--key-file", "/nonexistent-dir/k"), 64, password);
    }

    [Fact]
    public void The_password_of_the_issue_is_masked_whole()
    {
        const string password = "ab'" + Marker;
        string connection = "Host=/nonexistent-socket-dir;Database=keys;Password=" + password;
        Assert.Equal(password, new NpgsqlConnectionStringBuilder(connection).Password);

        AssertHidden(AmaProcess.Run("keystore", "get", "a", "b", connection, "--postgres", connection, "--store", "app"), 64, password);

        // Alone as a stray token, and in a string Npgsql cannot parse: the keyword scan masks it too.
        AssertHidden(AmaProcess.Run("keystore", "get", "a", "b", "Password=" + password, "--postgres", "Host=/nonexistent-socket-dir", "--store", "app"), 64, password);
        AssertHidden(AmaProcess.Run("keystore", "get", "a", "b", "NoSuchKeyword=1;Password=" + password, "--postgres", "Host=/nonexistent-socket-dir", "--store", "app"), 64, password);
    }

    [Theory]
    [InlineData("Foo=")]
    [InlineData("Host=/nonexistent-socket-dir;Foo=")]
    [InlineData("Port=notanumber")]
    [InlineData("a=b c")]
    public void An_argument_npgsql_cannot_parse_is_still_a_plain_usage_error(string argument)
    {
        // Every argument is tried as a connection string before parsing; one that Npgsql refuses must not crash ama.
        AmaProcess.Result result = AmaProcess.Run("keystore", "get", "a", "b", argument, "--postgres", "Host=/nonexistent-socket-dir", "--store", "app");
        Assert.True(result.ExitCode == 64, result.ToString());
        Assert.Contains("Unrecognized command or argument", result.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("Unhandled exception", result.Stderr, StringComparison.Ordinal);
    }

    private static void AssertHidden(AmaProcess.Result result, int exitCode, string password)
    {
        Assert.True(result.ExitCode == exitCode, result.ToString());
        Assert.Contains("ama: error:", result.Stderr, StringComparison.Ordinal);
        foreach (string output in (string[])[result.Stdout, result.Stderr])
        {
            Assert.DoesNotContain(password, output, StringComparison.Ordinal);
            Assert.DoesNotContain(Marker, output, StringComparison.Ordinal);
        }
    }
}
