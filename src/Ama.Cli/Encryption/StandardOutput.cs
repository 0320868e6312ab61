using Microsoft.Win32.SafeHandles;

namespace Ama.Cli.Encryption;

/// <summary>File descriptor 1 as <c>encrypt</c> and <c>decrypt</c> write to it.</summary>
internal static class StandardOutput
{
    private const int StdoutFd = 1;

    /// <summary>
    /// fd 1 as a plain stream whose writes fail with an <see cref="IOException"/> once the reader has gone (EPIPE).
    /// <see cref="Console.OpenStandardOutput()"/> drops such writes silently, so a <c>decrypt | head</c> whose reader
    /// exited would decrypt the rest of its input into nowhere and exit 0.
    /// </summary>
    internal static Stream Open() => new FileStream(new SafeFileHandle(StdoutFd, ownsHandle: false), FileAccess.Write, bufferSize: 0);
}
