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

                throw Error.MapFailed(Name, length, error);
            }

            return new MappedRegion(mapped, length, Locked: true, guarded);
        }
        finally
        {
            // The mapping keeps the memory alive; the descriptor is not needed after mmap.
            _ = Libc.Close(fd);
        }
    }

    internal override void Unmap(MappedRegion region) => UnixPages.Release(region.Address, region.Length, region.Guarded);

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
