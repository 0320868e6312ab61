using System.Runtime.InteropServices;
using System.Runtime.Versioning;
using Ama.Cryptography.Interop;

namespace Ama.Cryptography.Memory;

/// <summary>
/// Anonymous private pages: mlocked (unless built unlocked), and on Linux marked
/// MADV_DONTDUMP and MADV_WIPEONFORK. On Windows, VirtualAlloc and VirtualLock.
/// </summary>
internal sealed class AnonymousPageSource : PageSource
{
    private AnonymousPageSource(bool locks) => Locks = locks;

    internal static AnonymousPageSource Locked { get; } = new(locks: true);

    /// <summary>The degraded source: kept out of core dumps, but not locked.</summary>
    internal static AnonymousPageSource Unlocked { get; } = new(locks: false);

    internal override SecureMemorySource Kind => Locks ? SecureMemorySource.LockedPages : SecureMemorySource.UnlockedPages;

    internal override bool Locks { get; }

    internal override string Name => Locks ? "locked-pages" : "unlocked-pages";

    internal override MappedRegion Map(nuint length, bool guarded)
    {
        if (OperatingSystem.IsWindows())
        {
            return MapWindows(length, guarded);
        }

        MappingBudget.Charge(length, guarded);
        nint usable;
        try
        {
            usable = UnixPages.Reserve(length, guarded, Libc.PROT_READ | Libc.PROT_WRITE);
        }
        catch
        {
            MappingBudget.Refund(length, guarded);
            throw;
        }

        try
        {
            if (Platform.IsLinux)
            {
                UnixPages.Advise(usable, length, Libc.MADV_DONTDUMP, "MADV_DONTDUMP");
                UnixPages.Advise(usable, length, Libc.MADV_WIPEONFORK, "MADV_WIPEONFORK");
            }

            if (Locks)
            {
                PageLocker.Lock(usable, length);
            }
        }
        catch
        {
            UnixPages.Release(usable, length, guarded);
            MappingBudget.Refund(length, guarded);
            throw;
        }

        return new MappedRegion(usable, length, Locks, guarded);
    }

    internal override void Unmap(MappedRegion region)
    {
        if (OperatingSystem.IsWindows())
        {
            UnmapWindows(region);
            return;
        }

        if (region.Locked)
        {
            // munlock cannot fail on pages we locked; unmapping releases the lock regardless.
            _ = Libc.Munlock(region.Address, region.Length);
        }

        UnixPages.Release(region.Address, region.Length, region.Guarded);
        MappingBudget.Refund(region.Length, region.Guarded);
    }

    internal override void Protect(MappedRegion region, PageProtection protection)
    {
        if (OperatingSystem.IsWindows())
        {
            ProtectWindows(region.Address, region.Length, protection);
            return;
        }

        base.Protect(region, protection);
    }

    [SupportedOSPlatform("windows")]
    private MappedRegion MapWindows(nuint length, bool guarded)
    {
        nuint total = guarded ? length + (2 * PageSize) : length;
        nint mapping = Kernel32.VirtualAlloc(0, total, Kernel32.MEM_RESERVE | Kernel32.MEM_COMMIT, Kernel32.PAGE_READWRITE);
        if (mapping == 0)
        {
            throw Error.MapFailed(Name, total, Marshal.GetLastPInvokeError());
        }

        MappingBudget.Charge(length, guarded);

        nint usable = guarded ? mapping + (nint)PageSize : mapping;
        try
        {
            if (guarded)
            {
                ProtectWindows(mapping, PageSize, PageProtection.NoAccess);
                ProtectWindows(usable + (nint)length, PageSize, PageProtection.NoAccess);
            }

            if (Locks)
            {
                PageLocker.Lock(usable, length);
            }
        }
        catch
        {
            _ = Kernel32.VirtualFree(mapping, 0, Kernel32.MEM_RELEASE);
            MappingBudget.Refund(length, guarded);
            throw;
        }

        return new MappedRegion(usable, length, Locks, guarded);
    }

    [SupportedOSPlatform("windows")]
    private static void UnmapWindows(MappedRegion region)
    {
        if (region.Locked)
        {
            _ = Kernel32.VirtualUnlock(region.Address, region.Length);
        }

        nint mapping = region.Guarded ? region.Address - (nint)PageSize : region.Address;
        _ = Kernel32.VirtualFree(mapping, 0, Kernel32.MEM_RELEASE);
        MappingBudget.Refund(region.Length, region.Guarded);
    }

    [SupportedOSPlatform("windows")]
    private static void ProtectWindows(nint address, nuint length, PageProtection protection)
    {
        uint flags = protection switch
        {
            PageProtection.NoAccess => Kernel32.PAGE_NOACCESS,
            PageProtection.ReadOnly => Kernel32.PAGE_READONLY,
            _ => Kernel32.PAGE_READWRITE,
        };

        if (!Kernel32.VirtualProtect(address, length, flags, out _))
        {
            throw Error.ProtectFailed(protection, length, Marshal.GetLastPInvokeError());
        }
    }
}
