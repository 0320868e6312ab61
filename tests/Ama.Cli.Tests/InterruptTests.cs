using System.Diagnostics;
using System.Security.Cryptography;
using Ama.Cryptography;
using Ama.Cryptography.KeyManagement;

namespace Ama.Cli.Tests;

/// <summary>
/// Real SIGINTs sent to <c>ama keystore put</c> at moments spread over its whole run. The handler
/// zeroes the held secrets; the command must never go on to commit them, nor print or exit as if
/// it had finished normally after they were zeroed.
/// </summary>
public class InterruptTests : IDisposable
{
    private const string Password = "interrupt-password-3";
    private const int Runs = 25;

    // A shell starts a background job (`ci-script &`, nohup) with SIGINT ignored, and every process under it
    // inherits that; .NET, like any program, then leaves SIGINT ignored and never calls ama's handler. ama is
    // therefore started with SIGINT's default disposition, so the test does not depend on how its host was started.
    private static readonly string[] DefaultSigint = ["/usr/bin/env", "--default-signal=INT"];
    private static readonly string[] IgnoredSigint = ["/usr/bin/env", "--ignore-signal=INT"];
    private readonly string directory = Directory.CreateTempSubdirectory("ama-int-").FullName;
    private readonly string store;
    private readonly string passwordFile;
    private readonly string keyFile;
    private readonly string keyStore;
    private readonly byte[] key = RandomNumberGenerator.GetBytes(32);
    private readonly byte[] material = RandomNumberGenerator.GetBytes(64 * 1024);

    public InterruptTests()
    {
        store = Path.Combine(directory, "app.keys");
        passwordFile = Path.Combine(directory, "pw.txt");
        SecretFiles.WriteAllText(passwordFile, Password + "\n");
        KeyStoreFixture.Create(store, passwordFile);
        keyFile = Path.Combine(directory, "master.key");
        keyStore = Path.Combine(directory, "raw.keys");
        SecretFiles.WriteAllBytes(keyFile, key);
        KeyStoreFixture.Ok(AmaProcess.Run("keystore", "create", keyStore, "--key-file", keyFile));
    }

    public void Dispose()
    {
        Directory.Delete(directory, recursive: true);
        GC.SuppressFinalize(this);
    }

    /// <summary>
    /// Each run waits until ama is blocked reading the material from stdin (its credential already
    /// checked), sends the material, closes stdin, and sends SIGINT 0 to 265 ms later (densest at
    /// first): the moments around the commit, whatever the load on the machine. With a raw key the
    /// zeroed key once surfaced as exit 65, "The key is all zero bytes".
    /// </summary>
    [Theory]
    [InlineData("--password-file")]
    [InlineData("--key-file")]
    public void Sigint_at_any_moment_of_put_never_commits_zeroed_material_or_reports_after_zeroing(string credential)
    {
        (string target, string[] opener) = credential == "--key-file" ? (keyStore, (string[])["--key-file", keyFile]) : (store, ["--password-file", passwordFile]);
        int stored = 0;
        int interrupted = 0;
        for (int run = 0; run < Runs; run++)
        {
            using Process put = StartPut(target, opener);
            WaitUntilReadingStdin(put);
            Assert.True(CatchesSigint(put.Id), "ama does not catch SIGINT, so no SIGINT below would reach its handler");
            if (run == 0)
            {
                // A signal while ama waits for the material: the handler certainly runs, and nothing may be stored.
                SendSigint(put.Id);
            }
            else
            {
                put.StandardInput.BaseStream.Write(material);
                put.StandardInput.Close();
                Thread.Sleep(TimeSpan.FromMilliseconds((run - 1) * (run - 1) / 2.0));
                SendSigint(put.Id);
            }
            (int exitCode, string stderr) = Finish(put);
            string[] lines = stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            string report = $"run {run}: exit {exitCode}\n{stderr}";
            Assert.DoesNotContain("error", stderr, StringComparison.Ordinal);
            if (exitCode == 130)
            {
                interrupted++;
                Assert.True(lines.Length > 0 && lines[^1].StartsWith("ama: interrupted;", StringComparison.Ordinal), report);
            }
            else
            {
                Assert.True(exitCode == 0, report);
                Assert.DoesNotContain("interrupted", stderr, StringComparison.Ordinal);
            }

            stored += lines.Count(line => line.StartsWith("Stored k version", StringComparison.Ordinal));
        }

        // ama's handler did run: otherwise this test would pass without testing anything.
        TestContext.Current.TestOutputHelper?.WriteLine($"{credential}: {interrupted} of {Runs} runs interrupted, {stored} stored");
        Assert.True(interrupted > 0, "no run was interrupted by ama's handler");
        using KeyStoreCredential opened = credential == "--key-file" ? KeyStoreCredential.FromKey(key) : KeyStoreCredential.FromPassword(Password);
        AssertEveryVersionIsTheMaterial(target, opened, stored);
    }

    /// <summary>
    /// Run as a background job of a non-interactive shell, the test host and every ama it starts had SIGINT
    /// ignored: ama never ran its handler and the first run above waited forever for the material.
    /// </summary>
    [Fact]
    public void Put_catches_SIGINT_even_when_the_test_host_was_started_with_SIGINT_ignored()
    {
        // Negative control: what the host's children inherit. ama keeps an inherited ignore, as every program does.
        using (Process inherited = Start(keyStore, ["--key-file", keyFile], IgnoredSigint))
        {
            WaitUntilReadingStdin(inherited);
            Assert.False(CatchesSigint(inherited.Id), "ama caught a SIGINT that it was started with ignored");
            SendSigint(inherited.Id);
            inherited.StandardInput.BaseStream.Write(material);
            inherited.StandardInput.Close();
            (int ignoredExit, string ignoredStderr) = Finish(inherited);
            Assert.True(ignoredExit == 0 && !ignoredStderr.Contains("interrupted", StringComparison.Ordinal), $"exit {ignoredExit}\n{ignoredStderr}");
        }

        using Process put = StartPut(keyStore, ["--key-file", keyFile], outer: IgnoredSigint);
        WaitUntilReadingStdin(put);
        Assert.True(CatchesSigint(put.Id), "ama started by StartPut under a host that ignores SIGINT does not catch it");
        SendSigint(put.Id);
        (int exitCode, string stderr) = Finish(put);
        Assert.True(exitCode == 130, $"exit {exitCode}\n{stderr}");
    }

    /// <summary>Whether the process has a handler for SIGINT (bit 1 of SigCgt in /proc/PID/status).</summary>
    private static bool CatchesSigint(int pid)
    {
        string line = File.ReadLines($"/proc/{pid}/status").Single(l => l.StartsWith("SigCgt:", StringComparison.Ordinal));
        ulong caught = ulong.Parse(line["SigCgt:".Length..].Trim(), System.Globalization.NumberStyles.HexNumber, System.Globalization.CultureInfo.InvariantCulture);
        return (caught & (1UL << (SigInt - 1))) != 0;
    }

    /// <summary>The main thread sleeps in (anon_)pipe_read once the runtime is up and the command reads stdin.</summary>
    private static void WaitUntilReadingStdin(Process process)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(60))
        {
            string wchan = File.ReadAllText($"/proc/{process.Id}/wchan");
            if (wchan.EndsWith("pipe_read", StringComparison.Ordinal))
            {
                return;
            }

            Thread.Sleep(5);
        }

        Assert.Fail("ama never blocked reading stdin");
    }

    private void AssertEveryVersionIsTheMaterial(string path, KeyStoreCredential credential, int expectedVersions)
    {
        using SecureKeyStorage storage = SecureKeyStorage.Open(path, credential);
        if (expectedVersions == 0)
        {
            Assert.DoesNotContain("k", storage.ListKeys());
            return;
        }

        IReadOnlyList<KeyVersionInfo> versions = storage.ListVersions("k");
        Assert.Equal(expectedVersions, versions.Count);
        foreach (KeyVersionInfo info in versions)
        {
            using SecureBuffer stored = storage.Retrieve("k", info.Version);
            Assert.True(stored.Span.SequenceEqual(material), $"version {info.Version} is not the material that was put");
        }
    }

    /// <summary>Starts ama with SIGINT's default disposition; <paramref name="outer"/> runs first, as the host's own launcher would.</summary>
    private static Process StartPut(string target, string[] opener, string[]? outer = null) =>
        Start(target, opener, [.. outer ?? [], .. DefaultSigint]);

    /// <summary>Starts ama put through <paramref name="launcher"/>, which execs it: the pid is ama's.</summary>
    private static Process Start(string target, string[] opener, string[] launcher)
    {
        var info = new ProcessStartInfo(launcher[0])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string arg in (string[])[.. launcher[1..], AmaProcess.DotnetPath, AmaProcess.DllPath, "keystore", "put", target, "k", .. opener])
        {
            info.ArgumentList.Add(arg);
        }

        return Process.Start(AmaProcess.WithoutPostgres(info))!;
    }

    private static (int ExitCode, string Stderr) Finish(Process process)
    {
        Task<string> error = process.StandardError.ReadToEndAsync();
        _ = process.StandardOutput.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromSeconds(60)))
        {
            // A stuck ama must not outlive the test, still holding the store and its pipes.
            process.Kill();
            Assert.Fail("ama put did not finish");
        }

        return (process.ExitCode, error.Result);
    }

    /// <summary>kill(2) directly: starting /bin/kill from a busy test host takes longer than the commit does.</summary>
    private static void SendSigint(int pid) => _ = Kill(pid, SigInt);

    private const int SigInt = 2;

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "kill")]
    [System.Runtime.InteropServices.DefaultDllImportSearchPaths(System.Runtime.InteropServices.DllImportSearchPath.SafeDirectories)]
    private static extern int Kill(int pid, int signal);
}
