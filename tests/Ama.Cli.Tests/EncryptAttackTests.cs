using System.Security.Cryptography;

namespace Ama.Cli.Tests;

/// <summary>
/// <c>ama encrypt</c> and <c>ama decrypt</c> given what an outside tester tries: a terminal as the input,
/// outputs that are not plain new files, inputs that are not ama's format.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class EncryptAttackTests : IDisposable
{
    private readonly string directory = Directory.CreateTempSubdirectory("ama-enc-att-").FullName;
    private readonly string store;
    private readonly string passwordFile;

    public EncryptAttackTests()
    {
        store = Path.Combine(directory, "app.keys");
        passwordFile = Path.Combine(directory, "pw.txt");
        SecretFiles.WriteAllText(passwordFile, "attack-password-22\n");
        KeyStoreFixture.Create(store, passwordFile);
        KeyStoreFixture.Ok(AmaProcess.Run("keystore", "put", store, "data-key", "--generate", "32", "--password-file", passwordFile));
    }

    public void Dispose() => Directory.Delete(directory, recursive: true);

    /// <summary>Ciphertext cannot be typed: decrypt with a terminal as stdin and no input file is a usage error, before any prompt.</summary>
    [Theory]
    [InlineData("")]
    [InlineData("-")]
    public void Decrypt_refuses_a_terminal_as_its_input(string inputArgument)
    {
        string script = Tools.Require("script");
        string output = Path.Combine(directory, "out.bin");

        string transcript = Pty.RunScript(script, AmaProcess.ShellCommand($"decrypt {Options} --output '{output}' {inputArgument}"), "NO_COLOR=1", out int exitCode);

        Assert.True(exitCode == 64, transcript);
        Assert.Contains("Refusing to read ciphertext from a terminal", transcript, StringComparison.Ordinal);
        Assert.False(File.Exists(output));
    }

    /// <summary>Negative control on the same kind of terminal: decrypt with stdin redirected from a file.</summary>
    [Fact]
    public void Decrypt_from_a_redirected_stdin_on_a_terminal_still_works()
    {
        string script = Tools.Require("script");
        string sealedFile = Path.Combine(directory, "sealed.ama");
        KeyStoreFixture.Ok(Tool("encrypt", "--output", sealedFile, Write("plain.bin", "redirected-canary"u8.ToArray())));
        string opened = Path.Combine(directory, "opened.bin");

        string transcript = Pty.RunScript(script, $"{AmaProcess.ShellCommand($"decrypt {Options} --output '{opened}'")} < '{sealedFile}'", "NO_COLOR=1", out int exitCode);

        Assert.True(exitCode == 0, transcript);
        Assert.Equal("redirected-canary"u8.ToArray(), File.ReadAllBytes(opened));
    }

    /// <summary>
    /// encrypt still reads a terminal: a line typed, then Ctrl-D. Ctrl-D is pressed until the command ends, since a
    /// key pressed before the tool reads the terminal may be discarded when .NET sets the terminal up.
    /// </summary>
    [Fact]
    public void Encrypt_from_a_terminal_is_still_allowed()
    {
        string tmux = Tools.Require("tmux");
        string typed = Path.Combine(directory, "typed.ama");
        using var session = new Pty.TmuxSession(tmux, AmaProcess.ShellCommand($"encrypt {Options} --output '{typed}'"));

        session.Type("typed-line");
        session.Press("Enter");
        var clock = System.Diagnostics.Stopwatch.StartNew();
        string pane;
        do
        {
            session.Press("C-d");
            pane = session.Capture();
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(60), pane);
            Thread.Sleep(100);
        }
        while (!pane.Contains("EXIT=", StringComparison.Ordinal));

        Assert.Contains("EXIT=0", pane, StringComparison.Ordinal);
        Assert.True(File.Exists(typed), pane);
    }

    /// <summary>An output name no file system takes is refused at once, not after the whole input has been decrypted.</summary>
    [Fact]
    public void An_output_name_longer_than_255_bytes_is_refused_before_reading_the_input()
    {
        string sealedFile = Path.Combine(directory, "sealed.ama");
        KeyStoreFixture.Ok(Tool("encrypt", "--output", sealedFile, Write("plain.bin", [1, 2, 3])));

        AmaProcess.Result result = Tool("decrypt", "--output", Path.Combine(directory, new string('n', 256)), sealedFile);

        Assert.True(result.ExitCode == 64, result.ToString());
        Assert.Contains("longer than 255 bytes", result.Stderr, StringComparison.Ordinal);
    }

    /// <summary>A name close to the limit still works, with --force too (its temporary name beside the output is cut to fit).</summary>
    [Fact]
    public void An_output_name_of_250_bytes_is_written_and_replaced_with_force()
    {
        string input = Write("plain.bin", [1, 2, 3]);
        string output = Write(new string('n', 250), [9]);

        AmaProcess.Result result = Tool("encrypt", "--output", output, "--force", input);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.NotEqual(new byte[] { 9 }, File.ReadAllBytes(output));
        Assert.Empty(Directory.GetFiles(directory, ".*.tmp"));
    }

    /// <summary>stdout closed by the caller (<c>&gt;&amp;-</c>) is named as the problem, before any key is opened.</summary>
    [Theory]
    [InlineData("encrypt")]
    [InlineData("decrypt")]
    public void A_closed_stdout_is_a_usage_error_naming_it(string command)
    {
        string input = Write("plain.bin", [1, 2, 3]);

        AmaProcess.Result result = AmaProcess.Run([], wrapper: ["sh", "-c", $"{AmaProcess.ShellCommand($"{command} {Options} '{input}'")} >&-"]);

        Assert.True(result.ExitCode == 64, result.ToString());
        Assert.Contains("stdout is closed", result.Stderr, StringComparison.Ordinal);
    }

    /// <summary>
    /// stdin closed by the caller (<c>&lt;&amp;-</c>) is a usage error naming it: the runtime's own pipe took fd 0, and
    /// reading it waited forever. timeout(1) only bounds that hang; the run itself takes a second.
    /// </summary>
    [Theory]
    [InlineData("encrypt")]
    [InlineData("decrypt")]
    public void A_closed_stdin_is_a_usage_error_naming_it(string command)
    {
        string output = Path.Combine(directory, "out.bin");

        AmaProcess.Result result = AmaProcess.Run([], wrapper: ["timeout", "120", "sh", "-c", $"{AmaProcess.ShellCommand($"{command} {Options} --output '{output}'")} <&-"]);

        Assert.True(result.ExitCode == 64, result.ToString());
        Assert.Contains("stdin is closed", result.Stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(output));
    }

    /// <summary>stderr closed by the caller (<c>2&gt;&amp;-</c>): the command still succeeds, exit 0 (it aborted, exit 134, writing its last line).</summary>
    [Fact]
    public void A_closed_stderr_does_not_fail_a_command_that_succeeded()
    {
        string output = Path.Combine(directory, "out.ama");

        AmaProcess.Result result = AmaProcess.Run([], wrapper: ["sh", "-c", $"{AmaProcess.ShellCommand($"encrypt {Options} --output '{output}' '{Write("plain.bin", [1, 2, 3])}'")} 2>&-"]);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.True(File.Exists(output));
    }

    /// <summary>Negative control: with --output FILE a closed stdout does not matter.</summary>
    [Fact]
    public void A_closed_stdout_does_not_matter_with_an_output_file()
    {
        string output = Path.Combine(directory, "out.ama");

        AmaProcess.Result result = AmaProcess.Run([], wrapper: ["sh", "-c", $"{AmaProcess.ShellCommand($"encrypt {Options} --output '{output}' '{Write("plain.bin", [1, 2, 3])}'")} >&-"]);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.True(File.Exists(output));
    }

    /// <summary>
    /// --force never replaces a FIFO or device (here a link to /dev/null, as /dev/stdout is a link) with a regular file:
    /// as root, "--output /dev/null --force" replaced /dev/null itself. keystore get --output shares the check.
    /// </summary>
    [Theory]
    [InlineData("fifo")]
    [InlineData("link-to-dev-null")]
    public void Force_refuses_to_replace_a_fifo_or_device(string kind)
    {
        string sealedFile = Path.Combine(directory, "sealed.ama");
        KeyStoreFixture.Ok(Tool("encrypt", "--output", sealedFile, Write("plain.bin", [1, 2, 3])));
        string target = Path.Combine(directory, kind);
        KeyStoreFixture.Ok(AmaProcess.Run([], wrapper: ["sh", "-c", kind == "fifo" ? $"mkfifo '{target}'" : $"ln -s /dev/null '{target}'"]));

        AmaProcess.Result decrypt = Tool("decrypt", "--output", target, "--force", sealedFile);
        AmaProcess.Result get = AmaProcess.Run("keystore", "get", store, "data-key", "--output", target, "--force", "--password-file", passwordFile);

        Assert.True(decrypt.ExitCode == 64, decrypt.ToString());
        Assert.Contains("device, FIFO or socket", decrypt.Stderr, StringComparison.Ordinal);
        Assert.True(get.ExitCode == 64, get.ToString());
        Assert.Equal(0, AmaProcess.Run([], wrapper: ["sh", "-c", $"test -p '{target}' || test -c '{target}'"]).ExitCode);
    }

    /// <summary>Negative control: --force does replace a regular file and a link to one.</summary>
    [Fact]
    public void Force_replaces_a_regular_file_and_a_link_to_one()
    {
        string sealedFile = Path.Combine(directory, "sealed.ama");
        KeyStoreFixture.Ok(Tool("encrypt", "--output", sealedFile, Write("plain.bin", [1, 2, 3])));
        string regular = Write("regular.out", [9]);
        string link = Path.Combine(directory, "link.out");
        File.CreateSymbolicLink(link, Write("elsewhere.out", [9]));

        KeyStoreFixture.Ok(Tool("decrypt", "--output", regular, "--force", sealedFile));
        KeyStoreFixture.Ok(Tool("decrypt", "--output", link, "--force", sealedFile));

        Assert.Equal(new byte[] { 1, 2, 3 }, File.ReadAllBytes(regular));
        Assert.Equal(new byte[] { 1, 2, 3 }, File.ReadAllBytes(link));
        Assert.Null(new FileInfo(link).LinkTarget);
        Assert.Equal(new byte[] { 9 }, File.ReadAllBytes(Path.Combine(directory, "elsewhere.out")));
    }

    /// <summary>
    /// An --output that cannot be the file asked for is a usage error naming the problem: empty (was exit 65, "The value
    /// cannot be an empty string"), inside a regular file (was "directory does not exist"), or a name that is not UTF-8
    /// (.NET turns it into U+FFFD, so a file of another name was written).
    /// </summary>
    [Theory]
    [InlineData("''", "--output is empty")]
    [InlineData("'{dir}/plain.bin/x'", "is a file, not a directory")]
    [InlineData("\"{dir}/$(printf '\\377\\376').out\"", "is not valid UTF-8")]
    public void An_output_that_cannot_be_the_file_asked_for_is_a_usage_error(string output, string expected)
    {
        string sealedFile = Path.Combine(directory, "sealed.ama");
        KeyStoreFixture.Ok(Tool("encrypt", "--output", sealedFile, Write("plain.bin", [1, 2, 3])));
        string before = string.Join('\n', Directory.GetFileSystemEntries(directory).Order(StringComparer.Ordinal));

        AmaProcess.Result result = AmaProcess.Run([], wrapper: ["sh", "-c", AmaProcess.ShellCommand($"decrypt {Options} --output {output.Replace("{dir}", directory, StringComparison.Ordinal)} '{sealedFile}'")]);

        Assert.True(result.ExitCode == 64, result.ToString());
        Assert.Contains(expected, result.Stderr, StringComparison.Ordinal);
        Assert.Equal(before, string.Join('\n', Directory.GetFileSystemEntries(directory).Order(StringComparer.Ordinal)));
    }

    /// <summary>
    /// A write that fails (here EFBIG under a file-size limit, as a full disk fails with ENOSPC) names the output and says
    /// nothing was written there, exit 1: it was exit 65, a data error, "Specified file length was too large for the file system".
    /// SIGXFSZ is ignored so the write fails instead of killing the process; W^X off, since the runtime's double-mapped code
    /// memory needs a file larger than the limit.
    /// </summary>
    [Theory]
    [InlineData("encrypt")]
    [InlineData("decrypt")]
    public void A_failed_write_names_the_output_and_leaves_nothing(string command)
    {
        string input = Write("plain.bin", RandomNumberGenerator.GetBytes(4 * 1024 * 1024));
        if (command == "decrypt")
        {
            string sealedFile = Path.Combine(directory, "sealed.ama");
            KeyStoreFixture.Ok(Tool("encrypt", "--output", sealedFile, input));
            input = sealedFile;
        }

        string outputDirectory = Directory.CreateDirectory(Path.Combine(directory, "out")).FullName;
        string output = Path.Combine(outputDirectory, "out.bin");

        AmaProcess.Result result = AmaProcess.Run([], wrapper: ["sh", "-c", $"trap '' XFSZ; ulimit -f 2048; DOTNET_EnableWriteXorExecute=0 {AmaProcess.ShellCommand($"{command} {Options} --output '{output}' '{input}'")}"]);

        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.Contains($"The output could not be written to '{output}'", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("Nothing was written there.", result.Stderr, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFileSystemEntries(outputDirectory));
    }

    /// <summary>stdin redirected from a directory ("&lt; dir") is a usage error saying so (was exit 1, "Is a directory").</summary>
    [Theory]
    [InlineData("encrypt")]
    [InlineData("decrypt")]
    public void A_directory_as_stdin_is_a_usage_error_naming_it(string command)
    {
        string output = Path.Combine(directory, "out.bin");

        AmaProcess.Result result = AmaProcess.Run([], wrapper: ["sh", "-c", $"{AmaProcess.ShellCommand($"{command} {Options} --output '{output}'")} < '{directory}'"]);

        Assert.True(result.ExitCode == 64, result.ToString());
        Assert.Contains("stdin is a directory", result.Stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(output));
    }

    /// <summary>
    /// --output equal to the input, with --force: the input is read to its end before it is replaced, and a decrypt
    /// that fails leaves it as it was.
    /// </summary>
    [Fact]
    public void Output_equal_to_the_input_with_force_replaces_it_only_when_complete()
    {
        byte[] plaintext = RandomNumberGenerator.GetBytes(300_000);
        string file = Write("data.bin", plaintext);

        KeyStoreFixture.Ok(Tool("encrypt", "--output", file, "--force", file));
        byte[] sealedBytes = File.ReadAllBytes(file);
        File.WriteAllBytes(file, [.. sealedBytes[..^1], (byte)(sealedBytes[^1] ^ 1)]);
        AmaProcess.Result damaged = Tool("decrypt", "--output", file, "--force", file);
        Assert.True(damaged.ExitCode == 65, damaged.ToString());
        Assert.Equal([.. sealedBytes[..^1], (byte)(sealedBytes[^1] ^ 1)], File.ReadAllBytes(file));

        File.WriteAllBytes(file, sealedBytes);
        KeyStoreFixture.Ok(Tool("decrypt", "--output", file, "--force", file));
        Assert.Equal(plaintext, File.ReadAllBytes(file));
        Assert.Empty(Directory.GetFiles(directory, ".*.tmp"));
    }

    /// <summary>
    /// A reader that goes away (<c>| head -c1</c>) fails the command: it exits non-zero saying so, rather than decrypting the
    /// rest of its input into nowhere and exiting 0 (the 4 MiB output cannot fit the pipe, so the write must fail).
    /// </summary>
    [Theory]
    [InlineData("encrypt")]
    [InlineData("decrypt")]
    public void A_reader_that_goes_away_fails_the_command(string command)
    {
        string input = Write("plain.bin", RandomNumberGenerator.GetBytes(4 * 1024 * 1024));
        if (command == "decrypt")
        {
            string sealedFile = Path.Combine(directory, "sealed.ama");
            KeyStoreFixture.Ok(Tool("encrypt", "--output", sealedFile, input));
            input = sealedFile;
        }

        AmaProcess.Result result = AmaProcess.Run([], wrapper: ["bash", "-c", $"{AmaProcess.ShellCommand($"{command} {Options} '{input}'")} | head -c1 > /dev/null; exit ${{PIPESTATUS[0]}}"]);

        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.Contains("Broken pipe", result.Stderr, StringComparison.Ordinal);
    }

    private string Options => $"--key data-key --key-store '{store}' --password-file '{passwordFile}'";

    private AmaProcess.Result Tool(string command, params string[] rest) =>
        AmaProcess.Run([command, "--key", "data-key", "--key-store", store, "--password-file", passwordFile, .. rest]);

    private string Write(string name, byte[] content)
    {
        string path = Path.Combine(directory, name);
        File.WriteAllBytes(path, content);
        return path;
    }
}
