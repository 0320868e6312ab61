using System.Runtime.InteropServices;
using System.Runtime.Versioning;
using Ama.Cryptography.Interop;

namespace Ama.Cryptography.Memory;

/// <summary>
/// Linux memfd_secret(2) pages: out of the kernel's direct map, implicitly locked, and
/// absent from core dumps, .NET crash dumps and /proc/PID/mem.
/// </summary>
[SupportedOSPlatform("linux")]
internal sealed class SecretMemorySource : PageSource
{
    /// <summary>Regions this large or larger are wiped page by page as mincore reports them resident.</summary>
    private const nuint WipeByResidencyFrom = 256 * 1024;

    internal static SecretMemorySource Instance { get; } = new();

    internal override SecureMemorySource Kind => SecureMemorySource.SecretMemory;

    internal override bool Locks => true;

    internal override string Name => "secret-memory";

    /// <summary>Tries one page end to end: the kernel may lack secretmem, or a seccomp filter may block it.</summary>
    internal static string? Probe()
    {
        try
        {
            MappedRegion region = Instance.Map(PageSize, guarded: false);
            Instance.Unmap(region);
            return null;
        }
        catch (SecureMemoryException e)
        {
            return e.Message;
        }
    }

    internal override MappedRegion Map(nuint length, bool guarded)
    {
        MappingBudget.Charge(length, guarded);
        try
        {
            return MapSecretFile(length, guarded);
        }
        catch
        {
            MappingBudget.Refund(length, guarded);
            throw;
        }
    }

    /// <summary>
    /// Wipes only the pages of a large region that were ever touched. An untouched
    /// secret-memory page has no frame yet and reads as zero, and faulting it in just to wipe it
    /// costs about 50 µs a page here (the kernel takes each new page out of its direct map): an
    /// untouched 1 GiB buffer took 58 s to dispose. Secret memory is never swapped out, so a page
    /// that mincore reports absent has never held a byte.
    /// </summary>
    internal override void Wipe(MappedRegion region, Span<byte> bytes)
    {
        if (region.Length < WipeByResidencyFrom || !ResidentPages.TryOverwriteResident(region, bytes))
        {
            base.Wipe(region, bytes);
        }
    }

    internal override void Unmap(MappedRegion region)
    {
        UnixPages.Release(region.Address, region.Length, region.Guarded);
        MappingBudget.Refund(region.Length, region.Guarded);
    }

    private MappedRegion MapSecretFile(nuint length, bool guarded)
    {
        int fd = CreateSecretFile(length);
        try
        {
            nint usable = guarded ? UnixPages.Reserve(length, guarded: true, Libc.PROT_NONE) : 0;
            int flags = Libc.MAP_SHARED | (guarded ? Libc.MAP_FIXED : 0);
            nint mapped = Libc.Mmap(usable, length, Libc.PROT_READ | Libc.PROT_WRITE, flags, fd, 0);
            if (mapped == Libc.MAP_FAILED)
            {
                int error = Marshal.GetLastPInvokeError();
                if (guarded)
                {
                    UnixPages.Release(usable, length, guarded: true);
                }

                throw MappingBudget.MapFailure(Name, length, error);
            }

            KeepOutOfForkedChildren(mapped, length, guarded);
            return new MappedRegion(mapped, length, Locked: true, guarded);
        }
        finally
        {
            // The mapping keeps the memory alive; the descriptor is not needed after mmap.
            _ = Libc.Close(fd);
        }
    }

    /// <summary>
    /// The mapping is MAP_SHARED, so without this a child after fork would share the parent's
    /// pages: it could read the secrets and overwrite them. MADV_WIPEONFORK works only on
    /// private anonymous pages; MADV_DONTFORK leaves the range out of the child altogether.
    /// </summary>
    private static void KeepOutOfForkedChildren(nint mapped, nuint length, bool guarded)
    {
        if (Libc.Madvise(mapped, length, Libc.MADV_DONTFORK) != 0)
        {
            int error = Marshal.GetLastPInvokeError();
            UnixPages.Release(mapped, length, guarded);
            throw Error.AdviseFailed("MADV_DONTFORK", error);
        }
    }

    private int CreateSecretFile(nuint length)
    {
        if (RuntimeInformation.ProcessArchitecture is not (Architecture.X64 or Architecture.Arm64))
        {
            throw Error.SourceUnavailable(Name, "memfd_secret is only wired up for x64 and arm64.");
        }

        int fd = (int)Libc.Syscall(Libc.SYS_memfd_secret, 0);
        if (fd < 0)
        {
            throw Error.MapFailed(Name, length, Marshal.GetLastPInvokeError());
        }

        if (Libc.Ftruncate(fd, (long)length) != 0)
        {
            int error = Marshal.GetLastPInvokeError();
            _ = Libc.Close(fd);
            throw Error.MapFailed(Name, length, error);
        }

        return fd;
    }
}
