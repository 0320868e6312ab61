using System.Globalization;
using System.Runtime.InteropServices;
using Ama.Cli.Interop;
using Microsoft.Win32.SafeHandles;

namespace Ama.Cli.Encryption;

/// <summary>
/// A file created with O_TMPFILE: it has no name in its directory until <see cref="TryLink"/> gives it one, so a
/// process that dies before then (SIGKILL, the OOM killer, a power cut) leaves nothing behind; the kernel frees
/// the file with its last descriptor. Linux only, on file systems that support it (ext4, XFS, Btrfs, tmpfs).
/// </summary>
internal static class UnnamedFile
{
    private const int WriteOnly = 0x1;
    private const int CloseOnExec = 0x80000;
    private const uint OwnerReadWrite = 0x180;

    /// <summary>Creates an unnamed 0600 file in <paramref name="directory"/>, or returns null where the host or file system cannot.</summary>
    internal static SafeFileHandle? TryCreate(string directory)
    {
        if (!OperatingSystem.IsLinux() || TmpFileFlag() is not { } tmpFile || !Directory.Exists("/proc/self/fd"))
        {
            return null;
        }

        // Any failure (EOPNOTSUPP, EISDIR from a kernel without O_TMPFILE, EACCES...) falls back to a named
        // temporary file, whose own error, if it fails too, names the problem the way every other command does.
        int fd = Libc.Open(directory, tmpFile | WriteOnly | CloseOnExec, OwnerReadWrite);
        return fd < 0 ? null : new SafeFileHandle(fd, ownsHandle: true);
    }

    /// <summary>Gives the file the name <paramref name="name"/>; false when something already has that name, which is left alone.</summary>
    /// <exception cref="IOException">Any other failure, reported as a failure to write <paramref name="output"/>.</exception>
    internal static bool TryLink(SafeFileHandle file, string name, string output)
    {
        // linkat of /proc/self/fd/N with AT_SYMLINK_FOLLOW needs no privilege, unlike AT_EMPTY_PATH.
        string self = string.Create(CultureInfo.InvariantCulture, $"/proc/self/fd/{file.DangerousGetHandle()}");
        if (Libc.LinkAt(Libc.AtFdCwd, self, Libc.AtFdCwd, name, Libc.AtSymlinkFollow) == 0)
        {
            return true;
        }

        int errno = Marshal.GetLastPInvokeError();
        return errno == Libc.EExist ? false : throw EncryptionErrors.OutputFailed(output, Marshal.GetPInvokeErrorMessage(errno));
    }

    // O_TMPFILE is __O_TMPFILE | O_DIRECTORY, and O_DIRECTORY differs between the architectures the tool ships for.
    private static int? TmpFileFlag() => RuntimeInformation.ProcessArchitecture switch
    {
        Architecture.X64 => 0x410000,
        Architecture.Arm64 => 0x404000,
        _ => null,
    };
}
