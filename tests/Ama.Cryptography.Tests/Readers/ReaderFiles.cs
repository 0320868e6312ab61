using System.Diagnostics;
using System.Security.Cryptography;
using Ama.Cryptography.Tests.Infrastructure;

namespace Ama.Cryptography.Tests.Readers;

/// <summary>A private temporary directory with the files, links and FIFOs the reader tests need.</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class ReaderFiles : IDisposable
{
    public ReaderFiles()
    {
        Directory.CreateDirectory(Path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
    }

    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "ama-readers-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6)));

    public const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    public const UnixFileMode Mode0644 = OwnerOnly | UnixFileMode.GroupRead | UnixFileMode.OtherRead;

    public string Name(string name) => System.IO.Path.Combine(Path, name);

    /// <summary>Writes <paramref name="bytes"/> to a new file with exactly <paramref name="mode"/> (the umask does not apply).</summary>
    public string File(string name, ReadOnlySpan<byte> bytes, UnixFileMode mode = OwnerOnly)
    {
        string path = Name(name);
        System.IO.File.WriteAllBytes(path, bytes.ToArray());
        System.IO.File.SetUnixFileMode(path, mode);
        return path;
    }

    public string Link(string name, string target)
    {
        string path = Name(name);
        System.IO.File.CreateSymbolicLink(path, target);
        return path;
    }

    public string Fifo(string name)
    {
        string path = Name(name);
        Assert.Equal(0, Run(Tools.Require("mkfifo"), path));
        return path;
    }

    public void Dispose() => Directory.Delete(Path, recursive: true);

    internal static int Run(string tool, params string[] arguments)
    {
        using var process = Process.Start(new ProcessStartInfo(tool, arguments) { RedirectStandardError = true })!;
        process.WaitForExit();
        return process.ExitCode;
    }

    /// <summary>Runs a reader that must not block on a FIFO; a stuck open is released by opening the writing end, so the test ends either way.</summary>
    internal static async Task<Exception> FailsWithoutWaiting(string fifo, Func<object> read)
    {
        var attempt = Task.Run(read);
        try
        {
            return await Assert.ThrowsAnyAsync<Exception>(() => attempt.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken));
        }
        finally
        {
            if (!attempt.IsCompleted)
            {
                using var writer = new FileStream(fifo, FileMode.Open, FileAccess.Write);
            }
        }
    }
}
