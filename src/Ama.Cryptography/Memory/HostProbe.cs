using System.Globalization;
using System.Runtime.InteropServices;
using Ama.Cryptography.Interop;

namespace Ama.Cryptography.Memory;

/// <summary>Reads the limits and rights that decide what this host can protect, by asking the OS rather than guessing.</summary>
internal static class HostProbe
{
    private const int CapIpcLock = 14;

    internal static SecureMemoryStatus Read()
    {
        (bool lockingWorks, string? lockingProblem) = ProbeLocking();
        (ulong? memlockSoft, ulong? memlockHard) = Limit(() => Libc.RLIMIT_MEMLOCK);
        (ulong? coreSoft, _) = Limit(() => Libc.RLIMIT_CORE);
        string? secretProblem = SecureAllocator.SecretMemoryUnavailableReason;
        return new SecureMemoryStatus
        {
            Backend = NativeBackend.IsActive ? SecureMemoryBackend.Native : SecureMemoryBackend.Managed,
            NativeVersion = NativeBackend.Version,
            NativeLibraryPath = NativeBackend.LoadedFrom,
            ZeroingMethod = Zeroing.Method,
            MemorySource = SecureAllocator.DefaultSource,
            SecretMemoryAvailable = secretProblem is null,
            SecretMemoryProblem = secretProblem,
            LockingWorks = lockingWorks,
            LockingProblem = lockingProblem,
            MemoryLockLimitSoft = memlockSoft,
            MemoryLockLimitHard = memlockHard,
            HasIpcLockCapability = HasIpcLock(),
            CoreDumpsEnabled = OperatingSystem.IsWindows() || coreSoft is null or > 0,
            CoreDumpLimit = coreSoft,
            DegradedAllocations = SecureAllocator.DegradedAllocations,
            RegisterAndStackScrubbing = ScrubbedCall.IsActive,
            RegisterAndStackScrubbingProblem = ScrubbedCall.Problem,
            ScrubbedRegisters = ScrubbedCall.RegisterSet,
            OperatingSystem = RuntimeInformation.OSDescription,
            Architecture = RuntimeInformation.ProcessArchitecture,
        };
    }

    /// <summary>Maps one page, locks and unlocks it: the only reliable answer to "can this process lock?".</summary>
    private static (bool Works, string? Problem) ProbeLocking()
    {
        if (!PageLocker.IsSupported)
        {
            return (false, Error.LockingNotSupported().Message);
        }

        try
        {
            MappedRegion region = AnonymousPageSource.Locked.Map(PageSource.PageSize, guarded: false);
            AnonymousPageSource.Locked.Unmap(region);
            return (true, null);
        }
        catch (SecureMemoryException e)
        {
            Log.StatusProbeFailed("lock", e.Message);
            return (false, e.Message);
        }
    }

    private static (ulong? Soft, ulong? Hard) Limit(Func<int> resource)
    {
        if (OperatingSystem.IsWindows() || Libc.GetRLimit(resource(), out Libc.RLimit limit) != 0)
        {
            return (null, null);
        }

        return (Finite(limit.Current), Finite(limit.Maximum));
    }

    // RLIM_INFINITY is all ones on Linux and 2^63-1 on macOS.
    private static ulong? Finite(ulong value) => value >= long.MaxValue ? null : value;

    private static bool HasIpcLock()
    {
        if (!Platform.IsLinux)
        {
            return false;
        }

        string? line = File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith("CapEff:", StringComparison.Ordinal));
        return line is not null
            && ulong.TryParse(line.AsSpan(7).Trim(), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out ulong caps)
            && (caps & (1UL << CapIpcLock)) != 0;
    }
}
