namespace Ama.Cli.Tests;

/// <summary>
/// The secret-input plumbing of <c>ama keystore</c> against a real store: the no-echo prompt on a real
/// terminal, raw output refused on a terminal, and the error paths of every secret source.
/// </summary>
public class KeyStoreInputTests : IDisposable
{
    private const string Password = "hunter2-correct-horse";
    private readonly string directory = Directory.CreateTempSubdirectory("ama-cli-").FullName;
    private readonly string store;

    public KeyStoreInputTests()
    {
        store = Path.Combine(directory, "app.keys");
        KeyStoreFixture.Create(store, WritePasswordFile());
        KeyStoreFixture.Put(store, WritePasswordFile(), "k", [0xAB, 0xCD]);
    }

    public void Dispose()
    {
        Directory.Delete(directory, recursive: true);
        GC.SuppressFinalize(this);
    }

    [Fact]
    public void Prompt_on_a_terminal_does_not_echo_the_password()
    {
        string tmux = Tools.Require("tmux");
        using var session = new Pty.TmuxSession(tmux, AmaProcess.ShellCommand($"keystore get '{store}' k"));
        session.WaitFor("Password for app.keys:");
        session.Type(Password);
        session.Press("Enter");
        string pane = session.WaitFor("EXIT=");
        Assert.DoesNotContain("hunter2", pane, StringComparison.Ordinal);
        Assert.Contains("abcd", pane, StringComparison.Ordinal);
        Assert.Contains("EXIT=0", pane, StringComparison.Ordinal);
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
        using var session = new Pty.TmuxSession(tmux, AmaProcess.ShellCommand($"keystore get '{store}' k"));
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
        string transcript = Pty.RunScript(script, AmaProcess.ShellCommand($"keystore get '{store}' k --format raw --password-file '{passwordFile}'"), "NO_COLOR=1", out int exitCode);
        Assert.Equal(64, exitCode);
        Assert.DoesNotContain("\u00AB\u00CD", transcript, StringComparison.Ordinal);
        Assert.Contains("Refusing to write raw key material to a terminal", transcript, StringComparison.Ordinal);
    }

    /// <summary>Negative control: on the same terminal hex is allowed, and raw is allowed into a pipe.</summary>
    [Fact]
    public void Get_allows_hex_on_a_terminal_and_raw_into_a_pipe()
    {
        string script = Tools.Require("script");
        string passwordFile = WritePasswordFile();
        string transcript = Pty.RunScript(script, AmaProcess.ShellCommand($"keystore get '{store}' k --format hex --password-file '{passwordFile}'"), "NO_COLOR=1", out int hexExit);
        Assert.Equal(0, hexExit);
        Assert.Contains("abcd", transcript, StringComparison.Ordinal);
        Assert.Equal(new byte[] { 0xAB, 0xCD }, KeyStoreFixture.GetRaw(store, passwordFile, "k"));
    }

    [Fact]
    public void Password_from_stdin_and_from_a_file_are_accepted()
    {
        Assert.Equal("k\n", AmaProcess.Run(["keystore", "list", store, "--password-stdin"], Password + "\n").Stdout);
        Assert.Equal("k\n", AmaProcess.Run("keystore", "list", store, "--password-file", WritePasswordFile()).Stdout);
    }

    [Fact]
    public void Without_a_terminal_or_a_password_option_it_says_how_to_give_one()
    {
        AmaProcess.Result result = AmaProcess.Run(["keystore", "list", store], string.Empty);
        AssertUserError(result, 64, "--password-stdin");
    }

    [Fact]
    public void Empty_password_on_stdin_is_a_data_error()
    {
        AssertUserError(AmaProcess.Run(["keystore", "list", store, "--password-stdin"], "\n"), 65, "empty");
    }

    [Fact]
    public void Two_password_sources_are_a_usage_error()
    {
        AmaProcess.Result result = AmaProcess.Run(["keystore", "list", store, "--password-stdin", "--password-file", WritePasswordFile()], Password);
        AssertUserError(result, 64, "only one of");
    }

    [Fact]
    public void Missing_password_file_is_exit_66()
    {
        AssertUserError(AmaProcess.Run("keystore", "list", store, "--password-file", Path.Combine(directory, "nope")), 66, "does not exist");
        AssertUserError(AmaProcess.Run("keystore", "list", Path.Combine(directory, "nope.keys"), "--password-file", WritePasswordFile()), 66, "does not exist");
    }

    [Fact]
    public void Key_file_must_hold_exactly_32_bytes()
    {
        string shortKey = Path.Combine(directory, "short.key");
        SecretFiles.WriteAllBytes(shortKey, new byte[16]);
        string goodKey = Path.Combine(directory, "good.key");
        SecretFiles.WriteAllBytes(goodKey, Enumerable.Range(1, 32).Select(i => (byte)i).ToArray());
        string keyStore = Path.Combine(directory, "raw.keys");
        AssertUserError(AmaProcess.Run("keystore", "create", keyStore, "--key-file", shortKey), 65, "32 raw bytes");
        Assert.Equal(0, AmaProcess.Run("keystore", "create", keyStore, "--key-file", goodKey).ExitCode);
        AmaProcess.Result info = AmaProcess.Run("keystore", "info", keyStore, "--key-file", goodKey);
        Assert.True(info.ExitCode == 0, info.ToString());
        Assert.Contains("raw 32-byte key", info.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void Put_reads_material_from_stdin_file_or_generate()
    {
        string passwordFile = WritePasswordFile();
        string material = Path.Combine(directory, "material.bin");
        SecretFiles.WriteAllBytes(material, new byte[] { 1, 2, 3 });
        Assert.Equal(0, AmaProcess.Run(["keystore", "put", store, "p", "--password-file", passwordFile], "key-bytes").ExitCode);
        Assert.Equal(0, AmaProcess.Run("keystore", "put", store, "p", "--password-file", passwordFile, "--file", material).ExitCode);
        Assert.Equal(0, AmaProcess.Run("keystore", "put", store, "p", "--password-file", passwordFile, "--generate", "32").ExitCode);
        Assert.Equal("6b65792d6279746573\n", KeyStoreFixture.Get(store, passwordFile, "p", "--version", "1"));
        Assert.Equal("010203\n", KeyStoreFixture.Get(store, passwordFile, "p", "--version", "2"));
        Assert.Equal(65, KeyStoreFixture.Get(store, passwordFile, "p").Length);
    }

    [Fact]
    public void Put_rejects_empty_material_conflicts_and_a_shared_stdin()
    {
        string passwordFile = WritePasswordFile();
        AssertUserError(AmaProcess.Run(["keystore", "put", store, "k", "--password-file", passwordFile], string.Empty), 65, "empty");
        AssertUserError(AmaProcess.Run("keystore", "put", store, "k", "--password-file", passwordFile, "--generate", "0"), 64, "--generate");
        AssertUserError(AmaProcess.Run("keystore", "put", store, "k", "--password-file", passwordFile, "--generate", "8", "--file", passwordFile), 64, "not both");
        AssertUserError(AmaProcess.Run(["keystore", "put", store, "k", "--password-stdin"], Password + "\n"), 64, "stdin already carries the password");
    }

    [Fact]
    public void Passwd_reads_the_new_credential_from_its_own_options()
    {
        string newKey = Path.Combine(directory, "new.key");
        SecretFiles.WriteAllBytes(newKey, Enumerable.Repeat((byte)7, 32).ToArray());
        Assert.Equal(0, AmaProcess.Run("keystore", "passwd", store, "--password-file", WritePasswordFile(), "--new-key-file", newKey).ExitCode);
        Assert.Equal("abcd\n", AmaProcess.Run("keystore", "get", store, "k", "--key-file", newKey).Stdout);
        AssertUserError(AmaProcess.Run("keystore", "get", store, "k", "--password-file", WritePasswordFile()), 77, "app.keys");
    }

    [Fact]
    public void Secrets_are_never_accepted_as_arguments()
    {
        AssertUserError(AmaProcess.Run("keystore", "list", store, "--password", Password), 64, "--password");
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
        SecretFiles.WriteAllText(path, Password + "\n");
        return path;
    }
}
