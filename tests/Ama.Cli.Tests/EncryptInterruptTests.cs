using System.Diagnostics;
using System.Security.Cryptography;

namespace Ama.Cli.Tests;

/// <summary>
/// SIGINT, SIGTERM and SIGKILL in the middle of <c>encrypt</c> and <c>decrypt</c>: nothing appears at
/// the output path and no staged file is left beside it. The signal is sent once ama holds its staged
/// output open, has written to it, and is blocked reading the rest of its input from a pipe the test
/// holds open, so the moment does not depend on the machine's speed.
/// </summary>
public sealed class EncryptInterruptTests : IDisposable
{
    private const int SigInt = 2;
    private const int SigTerm = 15;
    private const int SigKill = 9;
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
        byte[] input = Input(command);
        string outputDirectory = Directory.CreateDirectory(Path.Combine(directory, "out")).FullName;
        string output = Path.Combine(outputDirectory, "out.bin");
        using Process process = Start(command, output);
        Task<string> error = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);

        await FeedHalfAndWait(process, input, outputDirectory);
        Assert.Equal(0, Kill(process.Id, signal));

        Assert.True(process.WaitForExit(TimeSpan.FromSeconds(60)), "ama did not exit after the signal");
        string stderr = await error;
        Assert.True(process.ExitCode == exitCode, $"exit {process.ExitCode}: {stderr}");
        Assert.False(File.Exists(output), "an interrupted run left a file at the output path");
        Assert.Empty(Directory.GetFileSystemEntries(outputDirectory));
    }

    /// <summary>
    /// SIGKILL runs no handler: the staged output is never named in the directory (an unnamed O_TMPFILE
    /// file, linked in only on success), so the kernel frees it with the process and nothing is left.
    /// </summary>
    [Theory]
    [InlineData("encrypt")]
    [InlineData("decrypt")]
    public async Task SIGKILL_mid_stream_leaves_no_file_in_the_output_directory(string command)
    {
        byte[] input = Input(command);
        string outputDirectory = Directory.CreateDirectory(Path.Combine(directory, "out")).FullName;
        using Process process = Start(command, Path.Combine(outputDirectory, "out.bin"));
        Task<string> error = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);

        await FeedHalfAndWait(process, input, outputDirectory);
        Assert.Equal(0, Kill(process.Id, SigKill));

        Assert.True(process.WaitForExit(TimeSpan.FromSeconds(60)), "ama did not exit after SIGKILL");
        await error;
        Assert.Empty(Directory.GetFileSystemEntries(outputDirectory));
    }

    /// <summary>4 MiB of random plaintext, or for decrypt its ciphertext.</summary>
    private byte[] Input(string command)
    {
        byte[] input = RandomNumberGenerator.GetBytes(4 * 1024 * 1024);
        if (command == "decrypt")
        {
            string plain = Path.Combine(directory, "plain.bin");
            string sealedFile = Path.Combine(directory, "sealed.ama");
            File.WriteAllBytes(plain, input);
            KeyStoreFixture.Ok(AmaProcess.Run("encrypt", "--key", "data-key", "--key-store", store, "--password-file", passwordFile, "--output", sealedFile, plain));
            input = File.ReadAllBytes(sealedFile);
            File.Delete(sealedFile);
            File.Delete(plain);
        }

        return input;
    }

    /// <summary>Writes half the input, then waits (for a file, not for a time) until ama has written to its staged output.</summary>
    private static async Task FeedHalfAndWait(Process process, byte[] input, string outputDirectory)
    {
        await process.StandardInput.BaseStream.WriteAsync(input.AsMemory(0, input.Length / 2), TestContext.Current.CancellationToken);
        await process.StandardInput.BaseStream.FlushAsync(TestContext.Current.CancellationToken);
        WaitForStagedFile(process, outputDirectory);
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

    /// <summary>
    /// Waits until ama holds open a non-empty file in <paramref name="outputDirectory"/>, named or not:
    /// /proc/PID/fd shows an unnamed one as "DIR/#INODE (deleted)".
    /// </summary>
    private static void WaitForStagedFile(Process process, string outputDirectory)
    {
        var clock = Stopwatch.StartNew();
        while (!HoldsWrittenFileIn(process.Id, outputDirectory))
        {
            Assert.False(process.HasExited, "ama exited before it wrote to its staged output");
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(60), "ama never created its staged output file");
            Thread.Sleep(20);
        }
    }

    /// <summary>The file behind the descriptor, opened through /proc/PID/fd/N (which works for an unnamed file too), is measured by seeking to its end.</summary>
    private static bool HoldsWrittenFileIn(int pid, string outputDirectory)
    {
        try
        {
            return Directory.GetFiles($"/proc/{pid}/fd").Any(fd =>
                new FileInfo(fd).LinkTarget is { } target
                && target.StartsWith(outputDirectory + "/", StringComparison.Ordinal)
                && LengthOf(fd) > 0);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A descriptor closed while it was being looked at: look again.
            return false;
        }
    }

    /// <summary>Opened with open(2) itself: .NET's own open takes a flock, which ama's exclusive one on a named staged file refuses.</summary>
    private static long LengthOf(string descriptor)
    {
        int fd = Open(descriptor, 0);
        if (fd < 0)
        {
            return 0;
        }

        try
        {
            return Seek(fd, 0, 2);
        }
        finally
        {
            _ = Close(fd);
        }
    }

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "open", CharSet = System.Runtime.InteropServices.CharSet.Ansi, BestFitMapping = false)]
    [System.Runtime.InteropServices.DefaultDllImportSearchPaths(System.Runtime.InteropServices.DllImportSearchPath.SafeDirectories)]
    private static extern int Open(string path, int flags);

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "lseek")]
    [System.Runtime.InteropServices.DefaultDllImportSearchPaths(System.Runtime.InteropServices.DllImportSearchPath.SafeDirectories)]
    private static extern long Seek(int fd, long offset, int whence);

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "close")]
    [System.Runtime.InteropServices.DefaultDllImportSearchPaths(System.Runtime.InteropServices.DllImportSearchPath.SafeDirectories)]
    private static extern int Close(int fd);

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "kill")]
    [System.Runtime.InteropServices.DefaultDllImportSearchPaths(System.Runtime.InteropServices.DllImportSearchPath.SafeDirectories)]
    private static extern int Kill(int pid, int signal);
}
