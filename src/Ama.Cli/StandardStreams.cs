using System.Globalization;
using Ama.Cli.Interop;

namespace Ama.Cli;

/// <summary>
/// Whether the standard descriptors are what they seem. A program started with one closed (<c>&lt;&amp;-</c>,
/// <c>&gt;&amp;-</c>, <c>2&gt;&amp;-</c>) finds the .NET runtime's own first descriptors in its place, the ends of an
/// internal pipe: reading stdin then waits forever, and a write to stdout or stderr fails, or goes into that pipe.
/// </summary>
internal static class StandardStreams
{
    private const int GetStatusFlags = 3;
    private const int AccessModeMask = 3;
    private const int ReadOnly = 0;
    private const int WriteOnly = 1;

    /// <summary>Whether <paramref name="fd"/> is open for reading (or for writing, with <paramref name="forWriting"/>) and not one of the runtime's own pipe ends.</summary>
    internal static bool IsUsable(int fd, bool forWriting)
    {
        if (!OperatingSystem.IsLinux())
        {
            return true;
        }

        int mode = AccessModeOf(fd);
        bool open = mode >= 0 && mode != (forWriting ? ReadOnly : WriteOnly);
        return open && !IsOwnPipe(fd, mode);
    }

    private static int AccessModeOf(int fd)
    {
        int flags = Libc.Fcntl(fd, GetStatusFlags);
        return flags < 0 ? -1 : flags & AccessModeMask;
    }

    /// <summary>
    /// Whether <paramref name="fd"/> is an end of a pipe whose other end this process holds too. A pipe from another
    /// process (<c>cmd | ama</c>, <c>ama | cmd</c>) never has its other end here; .NET's own duplicates of 0, 1 and 2
    /// have the same access mode, not the other one.
    /// </summary>
    private static bool IsOwnPipe(int fd, int mode)
    {
        try
        {
            string? pipe = new FileInfo(DescriptorPath(fd)).LinkTarget;
            if (pipe is null || !pipe.StartsWith("pipe:", StringComparison.Ordinal))
            {
                return false;
            }

            return Directory.GetFiles("/proc/self/fd").Any(other =>
                int.TryParse(Path.GetFileName(other), NumberStyles.None, CultureInfo.InvariantCulture, out int number)
                && number != fd
                && new FileInfo(other).LinkTarget == pipe
                && AccessModeOf(number) is var otherMode && otherMode >= 0 && otherMode != mode);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A descriptor closed while it was looked at, or /proc unreadable: take the stream as it is.
            return false;
        }
    }

    private static string DescriptorPath(int fd) => string.Create(CultureInfo.InvariantCulture, $"/proc/self/fd/{fd}");
}
