using System.Security.Cryptography;

namespace Ama.Cli.Tests;

/// <summary>
/// <c>ama encrypt</c> and <c>ama decrypt</c> through the built tool as a process: round trips over
/// files and pipes, tampered inputs, the output file's mode, the terminal refusal, a wrong key name
/// and key rotation.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class EncryptCommandTests : IDisposable
{
    private readonly string directory = Directory.CreateTempSubdirectory("ama-enc-").FullName;
    private readonly string store;
    private readonly string passwordFile;

    public EncryptCommandTests()
    {
        store = Path.Combine(directory, "app.keys");
        passwordFile = Path.Combine(directory, "pw.txt");
        SecretFiles.WriteAllText(passwordFile, "encrypt-password-42\n");
        KeyStoreFixture.Create(store, passwordFile);
        KeyStoreFixture.Ok(AmaProcess.Run("keystore", "put", store, "data-key", "--generate", "32", "--password-file", passwordFile));
    }

    public void Dispose() => Directory.Delete(directory, recursive: true);

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData((3 * 1024 * 1024) + 12345)]
    public void File_to_file_round_trip(int size)
    {
        byte[] plaintext = RandomNumberGenerator.GetBytes(size);
        string input = Write("plain.bin", plaintext);
        string sealedFile = Path.Combine(directory, "plain.bin.ama");
        string output = Path.Combine(directory, "plain.out");

        KeyStoreFixture.Ok(Tool("encrypt", "--output", sealedFile, input));
        Assert.NotEqual(plaintext, File.ReadAllBytes(sealedFile));
        KeyStoreFixture.Ok(Tool("decrypt", "--output", output, sealedFile));

        Assert.Equal(plaintext, File.ReadAllBytes(output));
        Assert.Empty(TempFiles());
    }

    [Theory]
    [InlineData(0)]
    [InlineData((2 * 1024 * 1024) + 7)]
    public void Stdin_to_stdout_round_trip(int size)
    {
        byte[] plaintext = RandomNumberGenerator.GetBytes(size);
        string input = Write("plain.bin", plaintext);
        string sealedFile = Path.Combine(directory, "piped.ama");
        string output = Path.Combine(directory, "piped.out");

        KeyStoreFixture.Ok(Shell($"encrypt {Options} < '{input}' > '{sealedFile}'"));
        KeyStoreFixture.Ok(Shell($"decrypt {Options} - < '{sealedFile}' > '{output}'"));

        Assert.Equal(plaintext, File.ReadAllBytes(output));
    }

    [Fact]
    public void Output_files_are_owner_only_whatever_the_umask()
    {
        string input = Write("plain.bin", RandomNumberGenerator.GetBytes(1000));
        string sealedFile = Path.Combine(directory, "sealed.ama");
        string output = Path.Combine(directory, "opened.bin");

        KeyStoreFixture.Ok(Shell($"umask 000; {AmaProcess.ShellCommand($"encrypt {Options} --output '{sealedFile}' '{input}'")}", raw: true));
        KeyStoreFixture.Ok(Shell($"umask 000; {AmaProcess.ShellCommand($"decrypt {Options} --output '{output}' '{sealedFile}'")}", raw: true));

        Assert.Equal(SecretFiles.OwnerOnly, File.GetUnixFileMode(sealedFile));
        Assert.Equal(SecretFiles.OwnerOnly, File.GetUnixFileMode(output));
    }

    [Theory]
    [InlineData("flip-first")]
    [InlineData("flip-middle")]
    [InlineData("flip-last")]
    [InlineData("truncate-tail")]
    [InlineData("truncate-half")]
    [InlineData("truncate-all-but-one")]
    [InlineData("append")]
    public void Decrypt_of_a_damaged_file_exits_65_and_leaves_no_output(string damage)
    {
        byte[] plaintext = RandomNumberGenerator.GetBytes((1024 * 1024) + 333);
        string sealedFile = Path.Combine(directory, "sealed.ama");
        KeyStoreFixture.Ok(Tool("encrypt", "--output", sealedFile, Write("plain.bin", plaintext)));
        byte[] ciphertext = File.ReadAllBytes(sealedFile);
        File.WriteAllBytes(sealedFile, Damage(ciphertext, damage));
        string output = Path.Combine(directory, "opened.bin");

        AmaProcess.Result result = Tool("decrypt", "--output", output, sealedFile);

        Assert.True(result.ExitCode == 65, result.ToString());
        Assert.Contains("does not verify (damaged, tampered with", result.Stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(output), "a tampered input left a file at the output path");
        Assert.Empty(TempFiles());
    }

    /// <summary>Negative control for the test above: the undamaged file decrypts to the same output path.</summary>
    [Fact]
    public void Decrypt_of_the_undamaged_file_writes_the_output()
    {
        byte[] plaintext = RandomNumberGenerator.GetBytes((1024 * 1024) + 333);
        string sealedFile = Path.Combine(directory, "sealed.ama");
        KeyStoreFixture.Ok(Tool("encrypt", "--output", sealedFile, Write("plain.bin", plaintext)));
        string output = Path.Combine(directory, "opened.bin");

        KeyStoreFixture.Ok(Tool("decrypt", "--output", output, sealedFile));

        Assert.Equal(plaintext, File.ReadAllBytes(output));
    }

    [Fact]
    public void Decrypt_of_a_damaged_stream_to_stdout_exits_65_and_says_to_discard_it()
    {
        string sealedFile = Path.Combine(directory, "sealed.ama");
        KeyStoreFixture.Ok(Tool("encrypt", "--output", sealedFile, Write("plain.bin", RandomNumberGenerator.GetBytes(200_000))));
        File.WriteAllBytes(sealedFile, Damage(File.ReadAllBytes(sealedFile), "flip-middle"));

        AmaProcess.Result result = Shell($"decrypt {Options} < '{sealedFile}' > /dev/null");

        Assert.True(result.ExitCode == 65, result.ToString());
        Assert.Contains("Discard what was written to stdout", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void An_existing_output_is_kept_without_force_and_replaced_with_it()
    {
        string input = Write("plain.bin", [1, 2, 3]);
        string output = Write("existing.ama", [9, 9, 9]);

        AmaProcess.Result refused = Tool("encrypt", "--output", output, input);
        Assert.True(refused.ExitCode == 73, refused.ToString());
        Assert.Equal(new byte[] { 9, 9, 9 }, File.ReadAllBytes(output));

        KeyStoreFixture.Ok(Tool("encrypt", "--output", output, "--force", input));
        Assert.NotEqual(new byte[] { 9, 9, 9 }, File.ReadAllBytes(output));
        Assert.Equal(SecretFiles.OwnerOnly, File.GetUnixFileMode(output));
    }

    [Fact]
    public void A_wrong_key_name_exits_66_and_writes_nothing()
    {
        string input = Write("plain.bin", [1, 2, 3]);
        string output = Path.Combine(directory, "out.ama");

        AmaProcess.Result result = AmaProcess.Run("encrypt", "--key", "no-such-key", "--key-store", store, "--password-file", passwordFile, "--output", output, input);

        Assert.True(result.ExitCode == 66, result.ToString());
        Assert.Contains("no-such-key", result.Stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(output));
    }

    [Fact]
    public void A_key_that_is_not_32_bytes_is_a_data_error_not_a_crash()
    {
        KeyStoreFixture.Ok(AmaProcess.Run("keystore", "put", store, "short-key", "--generate", "16", "--password-file", passwordFile));
        string output = Path.Combine(directory, "out.ama");

        AmaProcess.Result result = AmaProcess.Run("encrypt", "--key", "short-key", "--key-store", store, "--password-file", passwordFile, "--output", output, Write("plain.bin", [1, 2, 3]));

        Assert.True(result.ExitCode == 65, result.ToString());
        Assert.Contains("The key 'short-key' cannot encrypt or decrypt", result.Stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(output));
    }

    [Fact]
    public void A_file_encrypted_under_another_key_does_not_decrypt()
    {
        KeyStoreFixture.Ok(AmaProcess.Run("keystore", "put", store, "other-key", "--generate", "32", "--password-file", passwordFile));
        string sealedFile = Path.Combine(directory, "sealed.ama");
        KeyStoreFixture.Ok(Tool("encrypt", "--output", sealedFile, Write("plain.bin", [1, 2, 3])));
        string output = Path.Combine(directory, "opened.bin");

        AmaProcess.Result result = AmaProcess.Run("decrypt", "--key", "other-key", "--key-store", store, "--password-file", passwordFile, "--output", output, sealedFile);

        Assert.NotEqual(0, result.ExitCode);
        Assert.False(File.Exists(output));
    }

    [Fact]
    public void Files_encrypted_before_and_after_a_rotation_both_decrypt()
    {
        byte[] before = RandomNumberGenerator.GetBytes(70_000);
        byte[] after = RandomNumberGenerator.GetBytes(70_001);
        string first = Path.Combine(directory, "first.ama");
        string second = Path.Combine(directory, "second.ama");
        KeyStoreFixture.Ok(Tool("encrypt", "--output", first, Write("before.bin", before)));
        KeyStoreFixture.Ok(AmaProcess.Run("keystore", "put", store, "data-key", "--generate", "32", "--password-file", passwordFile));
        KeyStoreFixture.Ok(Tool("encrypt", "--output", second, Write("after.bin", after)));

        KeyStoreFixture.Ok(Tool("decrypt", "--output", Path.Combine(directory, "first.out"), first));
        KeyStoreFixture.Ok(Tool("decrypt", "--output", Path.Combine(directory, "second.out"), second));

        Assert.Equal(before, File.ReadAllBytes(Path.Combine(directory, "first.out")));
        Assert.Equal(after, File.ReadAllBytes(Path.Combine(directory, "second.out")));

        // Destroying the first version makes only the first file undecryptable: the rotation really used a new key.
        KeyStoreFixture.Ok(AmaProcess.Run("keystore", "delete", store, "data-key", "--version", "1", "--yes", "--password-file", passwordFile));
        AmaProcess.Result gone = Tool("decrypt", "--output", Path.Combine(directory, "first.again"), first);
        Assert.True(gone.ExitCode == 65, gone.ToString());
        Assert.Contains("version 1", gone.Stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(directory, "first.again")));
        KeyStoreFixture.Ok(Tool("decrypt", "--output", Path.Combine(directory, "second.again"), second));
    }

    [Theory]
    [InlineData("encrypt", "ciphertext")]
    [InlineData("decrypt", "plaintext")]
    public void Refuses_to_write_to_a_terminal_without_output_dash(string command, string what)
    {
        string script = Tools.Require("script");
        string sealedFile = Path.Combine(directory, "sealed.ama");
        string input = Write("plain.bin", "terminal-canary-payload"u8.ToArray());
        KeyStoreFixture.Ok(Tool("encrypt", "--output", sealedFile, input));
        string source = command == "encrypt" ? input : sealedFile;

        string transcript = Pty.RunScript(script, AmaProcess.ShellCommand($"{command} {Options} '{source}'"), "NO_COLOR=1", out int exitCode);

        Assert.Equal(64, exitCode);
        Assert.Contains($"Refusing to write {what} to a terminal", transcript, StringComparison.Ordinal);
        Assert.DoesNotContain("terminal-canary-payload", transcript, StringComparison.Ordinal);
    }

    /// <summary>Negative control: on the same terminal, --output - writes there.</summary>
    [Fact]
    public void Output_dash_writes_to_the_terminal()
    {
        string script = Tools.Require("script");
        string sealedFile = Path.Combine(directory, "sealed.ama");
        KeyStoreFixture.Ok(Tool("encrypt", "--output", sealedFile, Write("plain.bin", "terminal-canary-payload"u8.ToArray())));

        string transcript = Pty.RunScript(script, AmaProcess.ShellCommand($"decrypt {Options} --output - '{sealedFile}'"), "NO_COLOR=1", out int exitCode);

        Assert.Equal(0, exitCode);
        Assert.Contains("terminal-canary-payload", transcript, StringComparison.Ordinal);
    }

    /// <summary>A 256 MiB input (sparse, so it costs no disk) shows progress on a terminal's stderr; a small one, the control, does not.</summary>
    [Fact]
    public void Progress_shows_on_a_terminal_for_a_large_input_only()
    {
        string script = Tools.Require("script");
        string large = Path.Combine(directory, "large.bin");
        using (FileStream file = File.Create(large))
        {
            file.SetLength(256L * 1024 * 1024);
        }

        string small = Write("small.bin", RandomNumberGenerator.GetBytes(100_000));

        string withProgress = Pty.RunScript(script, AmaProcess.ShellCommand($"encrypt {Options} '{large}' > /dev/null"), "NO_COLOR=1", out int largeExit);
        string without = Pty.RunScript(script, AmaProcess.ShellCommand($"encrypt {Options} '{small}' > /dev/null"), "NO_COLOR=1", out int smallExit);

        Assert.Equal(0, largeExit);
        Assert.Equal(0, smallExit);
        Assert.Contains("encrypt: 128 MiB of 256 MiB (50%)", withProgress, StringComparison.Ordinal);
        Assert.DoesNotContain("MiB", without, StringComparison.Ordinal);
    }

    [Fact]
    public void Usage_errors_come_before_the_store_is_opened()
    {
        string input = Write("plain.bin", [1]);
        AmaProcess.Result noKey = AmaProcess.Run("encrypt", "--key-store", store, "--password-file", passwordFile, "--output", "-", input);
        Assert.True(noKey.ExitCode == 64, noKey.ToString());
        Assert.Contains("--key", noKey.Stderr, StringComparison.Ordinal);

        AmaProcess.Result missing = AmaProcess.Run("encrypt", "--key", "data-key", "--key-store", store, "--password-file", passwordFile, "--output", "-", Path.Combine(directory, "absent"));
        Assert.True(missing.ExitCode == 66, missing.ToString());

        AmaProcess.Result noStore = AmaProcess.Run("encrypt", "--key", "data-key", "--password-file", passwordFile, "--output", "-", input);
        Assert.True(noStore.ExitCode == 64, noStore.ToString());
        Assert.Contains("--key-store", noStore.Stderr, StringComparison.Ordinal);

        AmaProcess.Result twice = AmaProcess.Run(["encrypt", "--key", "data-key", "--key-store", store, "--password-stdin", "--output", "-"], "pw\n");
        Assert.True(twice.ExitCode == 64, twice.ToString());
    }

    [Theory]
    [InlineData("encrypt")]
    [InlineData("decrypt")]
    public void Help_lists_the_command_and_shows_examples(string command)
    {
        AmaProcess.Result root = KeyStoreFixture.Ok(AmaProcess.Run("--help"));
        Assert.Contains(command, root.Stdout, StringComparison.Ordinal);

        AmaProcess.Result help = KeyStoreFixture.Ok(AmaProcess.Run(command, "--help"));
        Assert.Contains("--key-store", help.Stdout, StringComparison.Ordinal);
        Assert.Contains("--password-file", help.Stdout, StringComparison.Ordinal);
        Assert.Contains("Examples:", help.Stdout, StringComparison.Ordinal);
        Assert.Contains($"ama {command} --key backup-key --key-store app.keys", help.Stdout, StringComparison.Ordinal);
    }

    internal static byte[] Damage(byte[] ciphertext, string how)
    {
        byte[] copy = (byte[])ciphertext.Clone();
        switch (how)
        {
            case "flip-first":
                copy[0] ^= 0x01;
                return copy;
            case "flip-middle":
                copy[copy.Length / 2] ^= 0x40;
                return copy;
            case "flip-last":
                copy[^1] ^= 0x80;
                return copy;
            case "truncate-tail":
                return copy[..^1];
            case "truncate-half":
                return copy[..(copy.Length / 2)];
            case "truncate-all-but-one":
                return copy[..1];
            default:
                return [.. copy, 0x00];
        }
    }

    private string Options => $"--key data-key --key-store '{store}' --password-file '{passwordFile}'";

    private AmaProcess.Result Tool(string command, params string[] rest) =>
        AmaProcess.Run([command, "--key", "data-key", "--key-store", store, "--password-file", passwordFile, .. rest]);

    private static AmaProcess.Result Shell(string commandLine, bool raw = false) =>
        AmaProcess.Run([], wrapper: ["sh", "-c", raw ? commandLine : AmaProcess.ShellCommand(commandLine)]);

    private string Write(string name, byte[] bytes)
    {
        string path = Path.Combine(directory, name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    private string[] TempFiles() => Directory.GetFiles(directory, "*.tmp");
}
