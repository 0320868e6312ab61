using System.Diagnostics;
using System.Security.Cryptography;

namespace Ama.Cli.Tests;

/// <summary>
/// SIGINT and SIGTERM in the middle of <c>encrypt</c> and <c>decrypt</c>: the staged output file is
/// deleted and nothing appears at the output path. The signal is sent once ama has created its
/// temporary file and is blocked reading the rest of its input from a pipe the test holds open,
/// so the moment does not depend on the machine's speed.
/// </summary>
public sealed class EncryptInterruptTests : IDisposable
{
    private const int SigInt = 2;
    private const int SigTerm = 15;
    private readonly string directory = Directory.CreateTempSubdirectory("ama-enc-int-").FullName;
    private readonly string store;
    private readonly string passwordFile;

    public EncryptInterruptTests()
    {
        store = Path.Combine(directory, "app.keys");
        passwordFile = Path.Combine(directory, "pw.txt");
        SecretFiles.WriteAllText(passwordFile, "interrupt-password-77\n");
        KeyStoreFixture.Create(store, passwordFile);
        KeyStoreFixture.Ok(AmaProcess.Run("keystore", "put", store, "data-key", "--generate", "32", "--password-file", passwordFile));
    }

    public void Dispose() => Directory.Delete(directory, recursive: true);

    [Theory]
    [InlineData("encrypt", SigInt, 130)]
    [InlineData("encrypt", SigTerm, 143)]
    [InlineData("decrypt", SigInt, 130)]
    [InlineData("decrypt", SigTerm, 143)]
    public async Task A_signal_mid_stream_removes_the_staged_file_and_writes_no_output(string command, int signal, int exitCode)
    {
        byte[] input = RandomNumberGenerator.GetBytes(4 * 1024 * 1024);
        if (command == "decrypt")
        {
            string plain = Path.Combine(directory, "plain.bin");
            string sealedFile = Path.Combine(directory, "sealed.ama");
            File.WriteAllBytes(plain, input);
            KeyStoreFixture.Ok(AmaProcess.Run("encrypt", "--key", "data-key", "--key-store", store, "--password-file", passwordFile, "--output", sealedFile, plain));
            input = File.ReadAllBytes(sealedFile);
        }

        string output = Path.Combine(directory, "out.bin");
        using Process process = Start(command, output);
        Task<string> error = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);

        // Half the input, then wait (for a file, not for a time) until the staged file exists.
        await process.StandardInput.BaseStream.WriteAsync(input.AsMemory(0, input.Length / 2), TestContext.Current.CancellationToken);
        await process.StandardInput.BaseStream.FlushAsync(TestContext.Current.CancellationToken);
        WaitForStagedFile(process);
        Assert.Equal(0, Kill(process.Id, signal));

        Assert.True(process.WaitForExit(TimeSpan.FromSeconds(60)), "ama did not exit after the signal");
        string stderr = await error;
        Assert.True(process.ExitCode == exitCode, $"exit {process.ExitCode}: {stderr}");
        Assert.False(File.Exists(output), "an interrupted run left a file at the output path");
        Assert.Empty(Directory.GetFiles(directory, "*.tmp"));
    }

    private Process Start(string command, string output)
    {
        var info = new ProcessStartInfo("/usr/bin/env")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };

        // SIGINT's default disposition, whatever the test host inherited (see InterruptTests).
        foreach (string arg in (string[])["--default-signal=INT", AmaProcess.DotnetPath, AmaProcess.DllPath, command, "--key", "data-key", "--key-store", store, "--password-file", passwordFile, "--output", output])
        {
            info.ArgumentList.Add(arg);
        }

        return Process.Start(AmaProcess.WithoutPostgres(info))!;
    }

    private void WaitForStagedFile(Process process)
    {
        var clock = Stopwatch.StartNew();
        while (Directory.GetFiles(directory, ".out.bin.*.tmp").Length == 0)
        {
            Assert.False(process.HasExited, $"ama exited early: {process.ExitCode}");
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(60), "ama never created its staged output file");
            Thread.Sleep(20);
        }
    }

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "kill")]
    [System.Runtime.InteropServices.DefaultDllImportSearchPaths(System.Runtime.InteropServices.DllImportSearchPath.SafeDirectories)]
    private static extern int Kill(int pid, int signal);
}
