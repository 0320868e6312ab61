using System.Runtime.InteropServices;

namespace Ama.Cli.Interop;

/// <summary>P/Invoke declarations for the C library: the terminal calls behind the no-echo password prompt.</summary>
internal static partial class Libc
{
    [LibraryImport("libc", EntryPoint = "tcgetattr", SetLastError = true)]
    internal static partial int TcGetAttr(int fd, [Out] byte[] termios);

    [LibraryImport("libc", EntryPoint = "tcsetattr", SetLastError = true)]
    internal static partial int TcSetAttr(int fd, int action, byte[] termios);
}
