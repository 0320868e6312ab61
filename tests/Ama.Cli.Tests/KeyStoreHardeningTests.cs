using System.Diagnostics;
using System.Text.Json;

namespace Ama.Cli.Tests;

/// <summary>
/// <c>ama keystore</c> without a terminal: invalid UTF-8 passwords, <c>get --output</c>, the lock wait,
/// delete in scripts, and the wording and exit codes of its errors.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public class KeyStoreHardeningTests : IDisposable
{
    private const string Password = "hardening-password-8";
    private static readonly byte[] Material = [0x5A, 0x01, 0xC3, 0x7E, 0x00, 0x99];
    private readonly string directory = Directory.CreateTempSubdirectory("ama-hard-").FullName;
    private readonly string store;
    private readonly string passwordFile;

    public KeyStoreHardeningTests()
    {
        store = Path.Combine(directory, "app.keys");
        passwordFile = Path.Combine(directory, "pw.txt");
        SecretFiles.WriteAllText(passwordFile, Password + "\n");
        KeyStoreFixture.Create(store, passwordFile);
        KeyStoreFixture.Put(store, passwordFile, "k", Material);
    }

    public void Dispose()
    {
        Directory.Delete(directory, recursive: true);
        GC.SuppressFinalize(this);
    }

    /// <summary>The replacing decoder turned both byte strings into U+FFFD U+FFFD U+FFFD: one password.</summary>
    [Fact]
    public void Passwords_that_are_not_UTF8_are_refused_so_they_cannot_collide()
    {
        string other = Path.Combine(directory, "other.keys");
        foreach (byte[] bytes in (byte[][])[[0xFF, 0xFE, 0xFD], [0x80, 0x81, 0x82]])
        {
            string file = Path.Combine(directory, "bad-pw.bin");
            SecretFiles.WriteAllBytes(file, [.. bytes, (byte)'\n']);
            AmaProcess.Result result = AmaProcess.Run(["keystore", "create", other, "--password-file", file, .. KeyStoreFixture.CheapKdf]);
            KeyStoreInputTests.AssertUserError(result, 65, "is not valid UTF-8");
            Assert.DoesNotContain("\uFFFD", result.Stderr, StringComparison.Ordinal);
            Assert.False(File.Exists(other), "a store was created under an invalid password");
        }
    }

    [Fact]
    public void Valid_UTF8_passwords_beyond_ASCII_still_work()
    {
        string file = Path.Combine(directory, "utf8-pw.txt");
        SecretFiles.WriteAllText(file, "pässwörd-✓\n");
        string other = Path.Combine(directory, "other.keys");
        KeyStoreFixture.Create(other, file);
        KeyStoreFixture.Ok(AmaProcess.Run("keystore", "list", other, "--password-file", file));
    }

    [Fact]
    public void Get_output_creates_the_file_0600_even_with_umask_0()
    {
        string output = Path.Combine(directory, "k.key");
        AmaProcess.Result result = KeyStoreFixture.Ok(RunWithUmask0("keystore", "get", store, "k", "--format", "raw", "--output", output, "--password-file", passwordFile));
        Assert.Equal(string.Empty, result.Stdout);
        Assert.Equal(Material, File.ReadAllBytes(output));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(output));
    }

    /// <summary>Negative control: under the same umask a plain redirect makes a world-readable file, which is what --output avoids.</summary>
    [Fact]
    public void A_shell_redirect_under_umask_0_is_world_readable()
    {
        string output = Path.Combine(directory, "redirect.key");
        Process.Start("/bin/sh", ["-c", $"umask 000; : > '{output}'"])!.WaitForExit();
        Assert.True(File.GetUnixFileMode(output).HasFlag(UnixFileMode.OtherRead));
    }

    [Fact]
    public void Get_output_never_overwrites_without_force()
    {
        string output = Path.Combine(directory, "existing.key");
        File.WriteAllText(output, "keep me");
        KeyStoreInputTests.AssertUserError(AmaProcess.Run("keystore", "get", store, "k", "--output", output, "--password-file", passwordFile), 73, "--force");
        Assert.Equal("keep me", File.ReadAllText(output));

        // O_EXCL: a symlink planted at the path is not written through.
        string target = Path.Combine(directory, "target.txt");
        File.WriteAllText(target, "target");
        string link = Path.Combine(directory, "link.key");
        File.CreateSymbolicLink(link, target);
        KeyStoreInputTests.AssertUserError(AmaProcess.Run("keystore", "get", store, "k", "--output", link, "--password-file", passwordFile), 73, "already exists");
        Assert.Equal("target", File.ReadAllText(target));
    }

    [Fact]
    public void Get_output_with_force_replaces_a_world_readable_file_with_a_0600_one()
    {
        string output = Path.Combine(directory, "old.key");
        File.WriteAllText(output, "old content");
        File.SetUnixFileMode(output, (UnixFileMode)0b110_100_100); // 0644
        KeyStoreFixture.Ok(RunWithUmask0("keystore", "get", store, "k", "--output", output, "--force", "--password-file", passwordFile));
        Assert.Equal(Convert.ToHexStringLower(Material) + "\n", File.ReadAllText(output));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(output));
        Assert.Empty(Directory.GetFiles(directory, ".old.key.*"));
    }

    [Fact]
    public void A_held_lock_is_announced_and_lock_timeout_bounds_the_wait()
    {
        using FileStream holder = HoldLock();
        var clock = Stopwatch.StartNew();
        AmaProcess.Result result = AmaProcess.Run("keystore", "put", store, "k", "--generate", "8", "--lock-timeout", "1", "--password-file", passwordFile);
        clock.Stop();
        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.Contains("waiting for another process to release the lock", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("ama: error: Gave up after 1 s", result.Stderr, StringComparison.Ordinal);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(20), $"took {clock.Elapsed}");
        holder.Dispose();
        Assert.Single(KeyStoreFixture.Ok(AmaProcess.Run("keystore", "versions", store, "k", "--password-file", passwordFile)).Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public async Task A_writer_that_waited_for_the_lock_says_so_and_then_writes()
    {
        FileStream holder = HoldLock();
        using var announced = new ManualResetEventSlim();
        Task<AmaProcess.Result> put = Task.Run(
            () => AmaProcess.Run(["keystore", "put", store, "k", "--generate", "8", "--password-file", passwordFile], onStderrLine: line =>
            {
                if (line.Contains("waiting for another process to release the lock", StringComparison.Ordinal))
                {
                    announced.Set();
                }
            }),
            TestContext.Current.CancellationToken);

        // Released only once ama says it waits: a fixed pause raced ama's start-up and KDF on a loaded machine,
        // and a lock released before ama looked at it was never waited for.
        Assert.True(announced.Wait(TimeSpan.FromSeconds(120), TestContext.Current.CancellationToken), "ama never announced that it waits for the lock");
        holder.Dispose();
        AmaProcess.Result result = KeyStoreFixture.Ok(await put);
        Assert.Contains("waiting for another process to release the lock", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("Stored k version 2", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Delete_in_a_script_needs_yes()
    {
        KeyStoreInputTests.AssertUserError(AmaProcess.Run("keystore", "delete", store, "k", "--password-file", passwordFile), 64, "--yes");
        Assert.Equal(Convert.ToHexStringLower(Material) + "\n", KeyStoreFixture.Get(store, passwordFile, "k"));
        KeyStoreFixture.Ok(AmaProcess.Run("keystore", "delete", store, "k", "--yes", "--password-file", passwordFile));
        Assert.Equal(string.Empty, KeyStoreFixture.Ok(AmaProcess.Run("keystore", "list", store, "--password-file", passwordFile)).Stdout);
    }

    [Fact]
    public void Get_and_delete_name_a_missing_key_the_same_way()
    {
        KeyStoreInputTests.AssertUserError(AmaProcess.Run("keystore", "get", store, "absent", "--password-file", passwordFile), 66, "no key named 'absent'");
        KeyStoreInputTests.AssertUserError(AmaProcess.Run("keystore", "delete", store, "absent", "--yes", "--password-file", passwordFile), 66, "no key named 'absent'");
    }

    [Fact]
    public void Name_and_argument_errors_carry_no_parameter_suffix()
    {
        AmaProcess.Result badName = AmaProcess.Run("keystore", "versions", store, "bad name!", "--password-file", passwordFile);
        KeyStoreInputTests.AssertUserError(badName, 65, "not a valid key name");
        string zeros = Path.Combine(directory, "zeros.key");
        SecretFiles.WriteAllBytes(zeros, new byte[32]);
        AmaProcess.Result allZero = AmaProcess.Run("keystore", "create", Path.Combine(directory, "zero.keys"), "--key-file", zeros);
        KeyStoreInputTests.AssertUserError(allZero, 65, "all zero");
        Assert.DoesNotContain("(Parameter", badName.Stderr + allZero.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Create_in_a_missing_directory_is_exit_66_and_names_the_directory()
    {
        AmaProcess.Result result = AmaProcess.Run(["keystore", "create", "nodir/a.keys", "--password-file", passwordFile, .. KeyStoreFixture.CheapKdf], workingDirectory: directory);
        KeyStoreInputTests.AssertUserError(result, 66, $"The directory '{Path.Combine(directory, "nodir")}' does not exist");
        Assert.DoesNotContain(".lock", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Create_on_a_directory_says_it_is_a_directory()
    {
        AmaProcess.Result result = AmaProcess.Run(["keystore", "create", ".", "--password-file", passwordFile, .. KeyStoreFixture.CheapKdf], workingDirectory: directory);
        KeyStoreInputTests.AssertUserError(result, 64, "'.' is a directory");
    }

    [Fact]
    public void List_of_an_empty_store_says_empty_on_stderr_only()
    {
        string empty = Path.Combine(directory, "empty.keys");
        KeyStoreFixture.Create(empty, passwordFile);
        AmaProcess.Result result = KeyStoreFixture.Ok(AmaProcess.Run("keystore", "list", empty, "--password-file", passwordFile));
        Assert.Equal(string.Empty, result.Stdout);
        Assert.Equal("(empty)\n", result.Stderr);
    }

    [Fact]
    public void Json_output_keeps_apostrophes_and_plus_signs_readable()
    {
        string odd = Path.Combine(directory, "it's+more");
        Directory.CreateDirectory(odd);
        string oddStore = Path.Combine(odd, "app.keys");
        KeyStoreFixture.Create(oddStore, passwordFile);
        string json = KeyStoreFixture.Ok(AmaProcess.Run("keystore", "info", oddStore, "--json", "--password-file", passwordFile)).Stdout;
        Assert.Contains("it's+more", json, StringComparison.Ordinal);
        Assert.DoesNotContain("\\u00", json, StringComparison.Ordinal);
        using JsonDocument parsed = JsonDocument.Parse(json);
        Assert.Equal(oddStore, parsed.RootElement.GetProperty("file").GetString());
    }

    private FileStream HoldLock() =>
        new(store + ".lock", FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);

    private static AmaProcess.Result RunWithUmask0(params string[] args) =>
        AmaProcess.Run(args, wrapper: ["/bin/sh", "-c", "umask 000; exec \"$@\"", "sh", AmaProcess.DotnetPath, AmaProcess.DllPath]);
}
