using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Ama.Cryptography.Interop;

/// <summary>
/// Opens a file for reading only if it is a regular file, judged on the open descriptor: a symbolic
/// link is followed and its target judged, and a file swapped in between a check and the open is
/// caught. Opening never waits: a FIFO is opened non-blocking and then refused.
/// </summary>
internal static class RegularFile
{
    /// <summary>The permission bits (and setuid, setgid, sticky), without the file type.</summary>
    internal const int PermissionBits = 0xFFF;

    /// <summary>What the open found; the caller turns a failure into its own exception.</summary>
    internal readonly record struct Opened(SafeFileHandle? Handle, int Errno, string? NotRegularKind, int Permissions);

    /// <summary>
    /// Opens <paramref name="path"/>. On success <see cref="Opened.Handle"/> is set (the caller
    /// disposes it); otherwise <see cref="Opened.Errno"/> or <see cref="Opened.NotRegularKind"/> says why.
    /// </summary>
    internal static Opened Open(string path) => Platform.IsLinux ? OpenLinux(path) : OpenPortable(path);

    private static Opened OpenLinux(string path)
    {
        // O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer forever.
        int fd = Libc.Open(path, Libc.O_RDONLY | Libc.O_NONBLOCK | Libc.O_CLOEXEC);
        if (fd < 0)
        {
            return new Opened(null, Marshal.GetLastPInvokeError(), null, 0);
        }

        var handle = new SafeFileHandle(fd, ownsHandle: true);
        if (Libc.Statx(fd, string.Empty, Libc.AT_EMPTY_PATH, Libc.STATX_TYPE | Libc.STATX_MODE, out var status) != 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            handle.Dispose();
            return new Opened(null, errno, null, 0);
        }

        int type = status.Mode & Libc.S_IFMT;
        if (type != Libc.S_IFREG)
        {
            handle.Dispose();
            return new Opened(null, 0, Describe(type), 0);
        }

        return new Opened(handle, 0, null, status.Mode & PermissionBits);
    }

    private static Opened OpenPortable(string path)
    {
        if (Directory.Exists(path))
        {
            return new Opened(null, 0, "a directory", 0);
        }

        SafeFileHandle handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        return new Opened(handle, 0, null, OperatingSystem.IsWindows() ? 0 : (int)File.GetUnixFileMode(handle));
    }

    private static string Describe(int type) => type switch
    {
        Libc.S_IFDIR => "a directory",
        Libc.S_IFIFO => "a FIFO",
        _ => "a device or socket",
    };
}
