using System.Text.RegularExpressions;

namespace Ama.Cli.Tests;

/// <summary>
/// What ama asks on a real terminal (tmux, script): the password prompt on /dev/tty while stdin
/// is a pipe, cheap checks before any prompt, the old password checked before new ones are asked
/// for, the delete confirmation, and the "deriving key" line.
/// </summary>
public class TerminalPromptTests : IDisposable
{
    private const string Password = "tty-password-5150";
    // Only how long a failing run waits (a wrong prompt never exits): a passing run returns at the first match.
    // ama's start-up alone took several seconds on a loaded two-core machine, so the bound is generous.
    private static readonly TimeSpan Quick = TimeSpan.FromSeconds(60);
    private readonly string directory = Directory.CreateTempSubdirectory("ama-tty-").FullName;
    private readonly string store;
    private readonly string passwordFile;

    public TerminalPromptTests()
    {
        store = Path.Combine(directory, "app.keys");
        passwordFile = Path.Combine(directory, "pw.txt");
        SecretFiles.WriteAllText(passwordFile, Password + "\n");
        KeyStoreFixture.Create(store, passwordFile);
        KeyStoreFixture.Put(store, passwordFile, "k", [0xAB, 0xCD]);
    }

    public void Dispose()
    {
        Directory.Delete(directory, recursive: true);
        GC.SuppressFinalize(this);
    }

    [Fact]
    public void Piped_key_material_is_stored_with_the_password_typed_on_the_terminal()
    {
        string tmux = Tools.Require("tmux");
        using var session = new Pty.TmuxSession(tmux, $"printf 'piped-material' | {AmaProcess.ShellCommand($"keystore put '{store}' p")}");
        session.WaitFor("Password for app.keys:");
        session.Type(Password);
        session.Press("Enter");
        string pane = session.WaitFor("EXIT=");
        Assert.Contains("EXIT=0", pane, StringComparison.Ordinal);
        Assert.DoesNotContain(Password, pane, StringComparison.Ordinal);
        Assert.Equal(Convert.ToHexStringLower("piped-material"u8) + "\n", KeyStoreFixture.Get(store, passwordFile, "p"));
    }

    [Fact]
    public void The_prompt_is_followed_by_no_blank_line()
    {
        string tmux = Tools.Require("tmux");
        using var session = new Pty.TmuxSession(tmux, AmaProcess.ShellCommand($"keystore get '{store}' k"));
        session.WaitFor("Password for app.keys:");
        session.Type(Password);
        session.Press("Enter");
        string pane = session.WaitFor("EXIT=");
        Assert.Matches(new Regex("Password for app\\.keys: *\nabcd\n"), pane);
    }

    [Fact]
    public void Put_without_a_material_source_fails_before_asking_for_the_password()
    {
        string tmux = Tools.Require("tmux");
        using var session = new Pty.TmuxSession(tmux, AmaProcess.ShellCommand($"keystore put '{store}' k"));
        string pane = session.WaitForAny(Quick, "EXIT=");
        Assert.Contains("EXIT=64", pane, StringComparison.Ordinal);
        Assert.Contains("No key material", pane, StringComparison.Ordinal);
        Assert.DoesNotContain("Password for", pane, StringComparison.Ordinal);
    }

    [Fact]
    public void Put_with_a_bad_name_fails_before_asking_for_the_password()
    {
        string tmux = Tools.Require("tmux");
        using var session = new Pty.TmuxSession(tmux, AmaProcess.ShellCommand($"keystore put '{store}' 'bad name' --generate 8"));
        string pane = session.WaitForAny(Quick, "EXIT=");
        Assert.Contains("EXIT=65", pane, StringComparison.Ordinal);
        Assert.Contains("not a valid key name", pane, StringComparison.Ordinal);
        Assert.DoesNotContain("Password for", pane, StringComparison.Ordinal);
    }

    [Fact]
    public void Passwd_checks_the_old_password_before_asking_for_new_ones()
    {
        string tmux = Tools.Require("tmux");
        using var session = new Pty.TmuxSession(tmux, AmaProcess.ShellCommand($"keystore passwd '{store}' --kdf pbkdf2 --kdf-iterations 10000"));
        session.WaitFor("Password for app.keys:");
        session.Type("wrong-password");
        session.Press("Enter");
        string pane = session.WaitForAny(Quick, "EXIT=", "New password");
        Assert.DoesNotContain("New password", pane, StringComparison.Ordinal);
        Assert.Contains("EXIT=77", pane, StringComparison.Ordinal);
    }

    /// <summary>Positive control for the test above: with the right old password the new one is asked for twice, and works.</summary>
    [Fact]
    public void Passwd_asks_for_the_new_password_twice_after_the_old_one_opened_the_store()
    {
        string tmux = Tools.Require("tmux");
        using var session = new Pty.TmuxSession(tmux, AmaProcess.ShellCommand($"keystore passwd '{store}' --kdf pbkdf2 --kdf-iterations 10000"));
        session.WaitFor("Password for app.keys:");
        session.Type(Password);
        session.Press("Enter");
        session.WaitFor("New password for app.keys:");
        session.Type("next-password-77");
        session.Press("Enter");
        session.WaitFor("Repeat the new password for app.keys:");
        session.Type("next-password-77");
        session.Press("Enter");
        Assert.Contains("EXIT=0", session.WaitFor("EXIT="), StringComparison.Ordinal);
        string next = Path.Combine(directory, "next.txt");
        SecretFiles.WriteAllText(next, "next-password-77\n");
        Assert.Equal("abcd\n", KeyStoreFixture.Get(store, next, "k"));
    }

    [Fact]
    public void Delete_on_a_terminal_asks_first_and_keeps_the_key_unless_confirmed()
    {
        string tmux = Tools.Require("tmux");
        string command = AmaProcess.ShellCommand($"keystore delete '{store}' k --password-file '{passwordFile}'");
        using (var declined = new Pty.TmuxSession(tmux, command))
        {
            Assert.Contains("Delete 'k' and its 1 version(s) from app.keys?", declined.WaitFor("[y/N]"), StringComparison.Ordinal);
            declined.Type("n");
            declined.Press("Enter");
            Assert.Contains("EXIT=1", declined.WaitFor("EXIT="), StringComparison.Ordinal);
        }

        Assert.Equal("abcd\n", KeyStoreFixture.Get(store, passwordFile, "k"));
        using (var confirmed = new Pty.TmuxSession(tmux, command))
        {
            confirmed.WaitFor("[y/N]");
            confirmed.Type("y");
            confirmed.Press("Enter");
            Assert.Contains("EXIT=0", confirmed.WaitFor("EXIT="), StringComparison.Ordinal);
        }

        KeyStoreInputTests.AssertUserError(AmaProcess.Run("keystore", "get", store, "k", "--password-file", passwordFile), 66, "no key named 'k'");
    }

    [Fact]
    public void Deriving_the_key_is_announced_on_a_terminal_only()
    {
        string script = Tools.Require("script");
        string argon = Path.Combine(directory, "argon.keys");
        KeyStoreFixture.Ok(AmaProcess.Run("keystore", "create", argon, "--password-file", passwordFile, "--kdf-memory", "8192", "--kdf-iterations", "1"));
        string transcript = Pty.RunScript(script, AmaProcess.ShellCommand($"keystore list '{argon}' --password-file '{passwordFile}'"), "NO_COLOR=1", out int exitCode);
        Assert.Equal(0, exitCode);
        Assert.Contains("deriving key from the password", transcript, StringComparison.Ordinal);

        AmaProcess.Result piped = KeyStoreFixture.Ok(AmaProcess.Run("keystore", "list", argon, "--password-file", passwordFile));
        Assert.DoesNotContain("deriving", piped.Stderr, StringComparison.Ordinal);
    }
}
