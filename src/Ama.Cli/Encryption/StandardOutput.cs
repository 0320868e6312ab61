using Ama.Cli.Interop;
using Microsoft.Win32.SafeHandles;

namespace Ama.Cli.Encryption;

/// <summary>File descriptor 1 as <c>encrypt</c> and <c>decrypt</c> write to it.</summary>
internal static class StandardOutput
{
    private const int StdoutFd = 1;
    private const int GetStatusFlags = 3;
    private const int AccessModeMask = 3;
    private const int ReadOnly = 0;

    /// <summary>
    /// Gets a value indicating whether fd 1 is open for writing. Started with stdout closed (<c>&gt;&amp;-</c>), the
    /// runtime's own first descriptor takes fd 1 (the read end of an internal pipe), and a write there would fail
    /// with a bare "Access to the path is denied".
    /// </summary>
    internal static bool IsWritable
    {
        get
        {
            if (OperatingSystem.IsWindows())
            {
                return true;
            }

            int flags = Libc.Fcntl(StdoutFd, GetStatusFlags);
            return flags >= 0 && (flags & AccessModeMask) != ReadOnly;
        }
    }

    /// <summary>
    /// fd 1 as a plain stream whose writes fail with an <see cref="IOException"/> once the reader has gone (EPIPE).
    /// <see cref="Console.OpenStandardOutput()"/> drops such writes silently, so a <c>decrypt | head</c> whose reader
    /// exited would decrypt the rest of its input into nowhere and exit 0.
    /// </summary>
    internal static Stream Open() => new FileStream(new SafeFileHandle(StdoutFd, ownsHandle: false), FileAccess.Write, bufferSize: 0);
}
