using System.Runtime.InteropServices;

namespace Ama.Cli.Interop;

/// <summary>
/// P/Invoke declarations for the C library: the terminal calls behind the no-echo password prompt, the calls
/// behind an output file that has no name until it is complete (O_TMPFILE, linkat), the access mode of stdout,
/// and the type of an existing output file (statx).
/// </summary>
internal static partial class Libc
{
    internal const int AtFdCwd = -100;
    internal const int AtSymlinkFollow = 0x400;
    internal const int EExist = 17;

    [LibraryImport("libc", EntryPoint = "tcgetattr", SetLastError = true)]
    internal static partial int TcGetAttr(int fd, [Out] byte[] termios);

    [LibraryImport("libc", EntryPoint = "tcsetattr", SetLastError = true)]
    internal static partial int TcSetAttr(int fd, int action, byte[] termios);

    [LibraryImport("libc", EntryPoint = "fcntl", SetLastError = true)]
    internal static partial int Fcntl(int fd, int command);

    /// <summary>statx(2): its buffer has one layout on every architecture, unlike stat's.</summary>
    [LibraryImport("libc", EntryPoint = "statx", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    internal static partial int Statx(int directory, string path, int flags, uint mask, [Out] byte[] buffer);

    [LibraryImport("libc", EntryPoint = "open", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    internal static partial int Open(string path, int flags, uint mode);

    [LibraryImport("libc", EntryPoint = "linkat", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    internal static partial int LinkAt(int oldDirectory, string oldPath, int newDirectory, string newPath, int flags);
}
