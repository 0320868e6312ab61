using Ama.Cryptography.Interop;
using Microsoft.Win32.SafeHandles;
using System.Runtime.InteropServices;

namespace Ama.Cryptography.KeyManagement;

/// <summary>
/// Keeps the owner and group of a key store across a commit. A commit replaces the file with a
/// new one, which the kernel gives to the writer; when root writes an application's store, the
/// application could no longer read its own file. So the new file (and a lock file root creates)
/// gets the owner and group of the file it replaces before the rename.
/// </summary>
internal static class KeyStoreOwnership
{
    /// <summary>Gives the new file <paramref name="newFile"/> the owner and group of <paramref name="existingPath"/>; nothing when there is no such file yet.</summary>
    /// <exception cref="KeyStoreException">The owner differs and this process may not give the file to it.</exception>
    internal static void CopyOwner(string existingPath, SafeFileHandle newFile)
    {
        if (TryGetOwner(existingPath, out uint owner, out uint group) && !TrySetOwner(newFile, owner, group, out int errno))
        {
            throw Error.KeyStoreOwnerNotKept(existingPath, owner, group, errno);
        }
    }

    /// <summary>Like <see cref="CopyOwner"/>, but a lock file that cannot be given away stays as it is: locking still works for whoever can open it.</summary>
    internal static void TryCopyOwner(string existingPath, SafeFileHandle file)
    {
        if (TryGetOwner(existingPath, out uint owner, out uint group))
        {
            _ = TrySetOwner(file, owner, group, out _);
        }
    }

    private static bool TryGetOwner(string path, out uint owner, out uint group)
    {
        owner = group = 0;
        if (!Platform.IsLinux || Libc.Statx(Libc.AT_FDCWD, path, 0, Libc.STATX_UID | Libc.STATX_GID, out var status) != 0)
        {
            return false;
        }

        (owner, group) = (status.Uid, status.Gid);
        return true;
    }

    /// <summary>True when the file has (or now has) the owner and group; fchown only when they differ, since only root may give a file away.</summary>
    private static bool TrySetOwner(SafeFileHandle file, uint owner, uint group, out int errno)
    {
        errno = 0;
        int fd = (int)file.DangerousGetHandle();
        if (Libc.Statx(fd, string.Empty, Libc.AT_EMPTY_PATH, Libc.STATX_UID | Libc.STATX_GID, out var current) == 0
            && current.Uid == owner && current.Gid == group)
        {
            return true;
        }

        if (Libc.Fchown(fd, owner, group) == 0)
        {
            return true;
        }

        errno = Marshal.GetLastPInvokeError();
        return false;
    }
}
