using System.Runtime.InteropServices;
using Ama.Cryptography.Interop;

namespace Ama.Cryptography.Memory;

/// <summary>Checked wrappers around the mmap family; every failure becomes a <see cref="SecureMemoryException"/>.</summary>
internal static class UnixPages
{
    private static int LastError => Marshal.GetLastPInvokeError();

    /// <summary>Reserves <paramref name="length"/> bytes with a no-access page on each side when guarded, and returns the usable start.</summary>
    internal static nint Reserve(nuint length, bool guarded, int protection)
    {
        nuint total = guarded ? length + (2 * PageSource.PageSize) : length;
        nint mapping = Libc.Mmap(0, total, guarded ? Libc.PROT_NONE : protection, Libc.MAP_PRIVATE | Libc.MAP_ANONYMOUS, -1, 0);
        if (mapping == Libc.MAP_FAILED)
        {
            throw MappingBudget.MapFailure("anonymous", total, LastError);
        }

        if (!guarded)
        {
            return mapping;
        }

        nint usable = mapping + (nint)PageSource.PageSize;
        if (protection != Libc.PROT_NONE && Libc.Mprotect(usable, length, protection) != 0)
        {
            int error = LastError;
            Release(usable, length, guarded: true);
            throw Error.ProtectFailed("read-write", length, error);
        }

        return usable;
    }

    internal static void Release(nint usable, nuint length, bool guarded)
    {
        nint start = guarded ? usable - (nint)PageSource.PageSize : usable;
        nuint total = guarded ? length + (2 * PageSource.PageSize) : length;

        // munmap only fails for bad arguments, which would be a bug here; the pages are already zeroed.
        _ = Libc.Munmap(start, total);
    }

    internal static void Protect(nint address, nuint length, PageProtection protection)
    {
        int flags = protection switch
        {
            PageProtection.NoAccess => Libc.PROT_NONE,
            PageProtection.ReadOnly => Libc.PROT_READ,
            _ => Libc.PROT_READ | Libc.PROT_WRITE,
        };

        if (Libc.Mprotect(address, length, flags) != 0)
        {
            throw Error.ProtectFailed(protection, length, LastError);
        }
    }

    internal static void Advise(nint address, nuint length, int advice, string name)
    {
        if (Libc.Madvise(address, length, advice) != 0)
        {
            throw Error.AdviseFailed(name, LastError);
        }
    }
}
