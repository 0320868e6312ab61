namespace Ama.Cli.Tests;

/// <summary>
/// The secret-input plumbing of <c>ama keystore</c>: the no-echo prompt on a real terminal, raw output
/// refused on a terminal, and the error paths of every secret source. Until the key store API is merged
/// the commands stop after reading their inputs with exit code 69, which these tests use as "inputs accepted".
/// </summary>
public class KeyStoreInputTests : IDisposable
{
    private const int InputsAccepted = 69;
    private const string Password = "hunter2-correct-horse";
    private readonly string directory = Directory.CreateTempSubdirectory("ama-cli-").FullName;

    public void Dispose()
    {
        Directory.Delete(directory, recursive: true);
        GC.SuppressFinalize(this);
    }

    [Fact]
    public void Prompt_on_a_terminal_does_not_echo_the_password()
    {
        string tmux = Tools.Require("tmux");
        using var session = new Pty.TmuxSession(tmux, AmaProcess.ShellCommand($"keystore list '{Path.Combine(directory, "app.keys")}'"));
        session.WaitFor("Password for app.keys:");
        session.Type(Password);
        session.Press("Enter");
        string pane = session.WaitFor("EXIT=");
        Assert.DoesNotContain("hunter2", pane, StringComparison.Ordinal);
        Assert.Contains($"EXIT={InputsAccepted}", pane, StringComparison.Ordinal);
    }

    /// <summary>Negative control: the same session and keystrokes do show up when the program echoes.</summary>
    [Fact]
    public void Tmux_capture_shows_typed_text_when_the_terminal_echoes()
    {
        string tmux = Tools.Require("tmux");
        using var session = new Pty.TmuxSession(tmux, "printf 'Password: '; read line");
        session.WaitFor("Password:");
        session.Type(Password);
        session.Press("Enter");
        string pane = session.WaitFor("EXIT=");
        Assert.Contains("hunter2", pane, StringComparison.Ordinal);
    }

    [Fact]
    public void Ctrl_C_at_the_prompt_zeroes_held_buffers_and_exits_130()
    {
        string tmux = Tools.Require("tmux");
        using var session = new Pty.TmuxSession(tmux, AmaProcess.ShellCommand($"keystore get '{Path.Combine(directory, "app.keys")}' k"));
        session.WaitFor("Password for app.keys:");
        session.Type("half-typed");
        session.Press("C-c");
        string pane = session.WaitFor("EXIT=");
        Assert.Contains("interrupted; 1 held secret buffer(s) zeroed", pane, StringComparison.Ordinal);
        Assert.Contains("EXIT=130", pane, StringComparison.Ordinal);
        Assert.DoesNotContain("half-typed", pane, StringComparison.Ordinal);
    }

    [Fact]
    public void Get_refuses_raw_output_to_a_terminal()
    {
        string script = Tools.Require("script");
        string passwordFile = WritePasswordFile();
        string transcript = Pty.RunScript(script, AmaProcess.ShellCommand($"keystore get '{Path.Combine(directory, "app.keys")}' k --format raw --password-file '{passwordFile}'"), "NO_COLOR=1", out int exitCode);
        Assert.Equal(64, exitCode);
        Assert.Contains("Refusing to write raw key material to a terminal", transcript, StringComparison.Ordinal);
    }

    /// <summary>Negative control: on the same terminal hex is allowed, and raw is allowed into a pipe.</summary>
    [Fact]
    public void Get_allows_hex_on_a_terminal_and_raw_into_a_pipe()
    {
        string script = Tools.Require("script");
        string passwordFile = WritePasswordFile();
        string store = Path.Combine(directory, "app.keys");
        _ = Pty.RunScript(script, AmaProcess.ShellCommand($"keystore get '{store}' k --format hex --password-file '{passwordFile}'"), "NO_COLOR=1", out int hexExit);
        Assert.Equal(InputsAccepted, hexExit);
        Assert.Equal(InputsAccepted, AmaProcess.Run("keystore", "get", store, "k", "--format", "raw", "--password-file", passwordFile).ExitCode);
    }

    [Fact]
    public void Password_from_stdin_and_from_a_file_are_accepted()
    {
        string store = Path.Combine(directory, "app.keys");
        Assert.Equal(InputsAccepted, AmaProcess.Run(["keystore", "list", store, "--password-stdin"], Password + "\n").ExitCode);
        Assert.Equal(InputsAccepted, AmaProcess.Run("keystore", "list", store, "--password-file", WritePasswordFile()).ExitCode);
    }

    [Fact]
    public void Without_a_terminal_or_a_password_option_it_says_how_to_give_one()
    {
        AmaProcess.Result result = AmaProcess.Run(["keystore", "list", Path.Combine(directory, "app.keys")], string.Empty);
        AssertUserError(result, 64, "--password-stdin");
    }

    [Fact]
    public void Empty_password_on_stdin_is_a_data_error()
    {
        AssertUserError(AmaProcess.Run(["keystore", "list", "x.keys", "--password-stdin"], "\n"), 65, "empty");
    }

    [Fact]
    public void Two_password_sources_are_a_usage_error()
    {
        AmaProcess.Result result = AmaProcess.Run(["keystore", "list", "x.keys", "--password-stdin", "--password-file", WritePasswordFile()], Password);
        AssertUserError(result, 64, "only one of");
    }

    [Fact]
    public void Missing_password_file_is_exit_66()
    {
        AssertUserError(AmaProcess.Run("keystore", "list", "x.keys", "--password-file", Path.Combine(directory, "nope")), 66, "does not exist");
    }

    [Fact]
    public void Key_file_must_hold_exactly_32_bytes()
    {
        string shortKey = Path.Combine(directory, "short.key");
        File.WriteAllBytes(shortKey, new byte[16]);
        string goodKey = Path.Combine(directory, "good.key");
        File.WriteAllBytes(goodKey, new byte[32]);
        AssertUserError(AmaProcess.Run("keystore", "info", "x.keys", "--key-file", shortKey), 65, "32 raw bytes");
        Assert.Equal(InputsAccepted, AmaProcess.Run("keystore", "info", "x.keys", "--key-file", goodKey).ExitCode);
    }

    [Fact]
    public void Put_reads_material_from_stdin_file_or_generate()
    {
        string passwordFile = WritePasswordFile();
        string material = Path.Combine(directory, "material.bin");
        File.WriteAllBytes(material, new byte[] { 1, 2, 3 });
        Assert.Equal(InputsAccepted, AmaProcess.Run(["keystore", "put", "x.keys", "k", "--password-file", passwordFile], "key-bytes").ExitCode);
        Assert.Equal(InputsAccepted, AmaProcess.Run("keystore", "put", "x.keys", "k", "--password-file", passwordFile, "--file", material).ExitCode);
        Assert.Equal(InputsAccepted, AmaProcess.Run("keystore", "put", "x.keys", "k", "--password-file", passwordFile, "--generate", "32").ExitCode);
    }

    [Fact]
    public void Put_rejects_empty_material_conflicts_and_a_shared_stdin()
    {
        string passwordFile = WritePasswordFile();
        AssertUserError(AmaProcess.Run(["keystore", "put", "x.keys", "k", "--password-file", passwordFile], string.Empty), 65, "empty");
        AssertUserError(AmaProcess.Run("keystore", "put", "x.keys", "k", "--password-file", passwordFile, "--generate", "0"), 64, "--generate");
        AssertUserError(AmaProcess.Run("keystore", "put", "x.keys", "k", "--password-file", passwordFile, "--generate", "8", "--file", passwordFile), 64, "not both");
        AssertUserError(AmaProcess.Run(["keystore", "put", "x.keys", "k", "--password-stdin"], Password + "\n"), 64, "stdin already carries the password");
    }

    [Fact]
    public void Passwd_reads_the_new_credential_from_its_own_options()
    {
        string newKey = Path.Combine(directory, "new.key");
        File.WriteAllBytes(newKey, new byte[32]);
        Assert.Equal(InputsAccepted, AmaProcess.Run("keystore", "passwd", "x.keys", "--password-file", WritePasswordFile(), "--new-key-file", newKey).ExitCode);
    }

    [Fact]
    public void Secrets_are_never_accepted_as_arguments()
    {
        AssertUserError(AmaProcess.Run("keystore", "list", "x.keys", "--password", Password), 64, "--password");
    }

    internal static void AssertUserError(AmaProcess.Result result, int exitCode, string fragment)
    {
        Assert.True(result.ExitCode == exitCode, result.ToString());
        string[] lines = result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(lines.Length == 1, result.ToString());
        Assert.StartsWith("ama: error: ", lines[0], StringComparison.Ordinal);
        Assert.Contains(fragment, lines[0], StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", result.Stderr, StringComparison.Ordinal);
    }

    private string WritePasswordFile()
    {
        string path = Path.Combine(directory, "password.txt");
        File.WriteAllText(path, Password + "\n");
        return path;
    }
}
