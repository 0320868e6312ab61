using System.Globalization;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using Ama.Cryptography.Interop;
using Ama.Cryptography.Memory;

namespace Ama.Cryptography;

/// <summary>
/// A live self-test of this process's protections: it allocates a real buffer and asks the
/// kernel (through /proc/self/smaps) whether it is locked and kept out of dumps, checks that
/// Dispose zeroes it, that the constant-time compare is correct, and how dumps are set up.
/// Applications can run it in a health endpoint; the <c>ama status</c> command prints it.
/// </summary>
public static class SecureMemorySelfTest
{
    /// <summary>The stable identifier of the check that the buffer's pages are locked into RAM.</summary>
    public const string MemoryLockCheck = "memory-lock";

    /// <summary>The stable identifier of the check that the buffer is secret memory or at least excluded from core dumps.</summary>
    public const string SecretMemoryCheck = "secret-memory";

    /// <summary>The stable identifier of the check that Dispose zeroes the buffer.</summary>
    public const string ZeroOnDisposeCheck = "zero-on-dispose";

    /// <summary>The stable identifier of the check that the constant-time compare agrees with a plain compare.</summary>
    public const string ConstantTimeCompareCheck = "constant-time-compare";

    /// <summary>The stable identifier of the check on core dumps (RLIMIT_CORE, core_pattern).</summary>
    public const string CoreDumpsCheck = "core-dumps";

    /// <summary>The stable identifier of the check on .NET crash dumps (createdump), which ignore MADV_DONTDUMP.</summary>
    public const string CrashDumpsCheck = "dotnet-crash-dumps";

    /// <summary>The stable identifier of the check that key-bearing native calls scrub registers and stack.</summary>
    public const string KeyUseScrubbingCheck = "key-use-scrubbing";

    private const int ProbeSize = 32;
    private const byte Pattern = 0xA5;
    private const int NeighbourAttempts = 16;

    private const string LockAdvice =
        "Raise RLIMIT_MEMLOCK (ulimit -l, LimitMEMLOCK= in systemd, --ulimit memlock in containers) or grant CAP_IPC_LOCK.";

    private const string EnableSecretMemoryAdvice =
        "Enable secretmem: a kernel 5.14+ with CONFIG_SECRETMEM, booted with secretmem.enable=1 where it is off by default.";

    private const string SecretMemoryLimitAdvice =
        "memfd_secret pages count against RLIMIT_MEMLOCK, and the limit refused them: raise it (ulimit -l, LimitMEMLOCK= in systemd, --ulimit memlock in containers) or grant CAP_IPC_LOCK.";

    private const string SeccompAdvice =
        "Don't run the container with a seccomp profile that blocks memfd_secret (syscall 447); allow it in the profile.";

    private const string CoreDumpAdvice =
        "Disable core dumps for this service: LimitCORE=0 in the systemd unit, ulimit -c 0, or --ulimit core=0 in containers.";

    private const string ScrubbingAdvice =
        "Scrubbing runs on x86-64 Linux; elsewhere, disable core and crash dumps for this service and keep key objects short-lived. Unset AMA_SCRUB if it is 'off'.";

    private const string BugAdvice =
        "This is a defect in Ama.Cryptography or its native backend; report it with the output of 'ama status --json'.";

    /// <summary>Runs every check once. It allocates and frees a few small buffers and takes a few milliseconds.</summary>
    /// <returns>The report; its <see cref="SelfTestReport.Outcome"/> is the worst outcome of all checks.</returns>
    public static SelfTestReport Run()
    {
        SecureMemoryStatus status = SecureMemory.GetStatus();
        var checks = new List<SelfTestCheck>();
        checks.AddRange(CheckProbeBuffer(status));
        checks.Add(CheckZeroOnDispose(static buffer => buffer.Dispose()));
        checks.Add(CheckConstantTimeCompare());
        checks.Add(CheckKeyUseScrubbing(status));
        checks.Add(CheckCoreDumps(status, ReadCorePattern()));
        checks.Add(CheckCrashDumps(status.MemorySource, Environment.GetEnvironmentVariable("DOTNET_DbgEnableMiniDump")
            ?? Environment.GetEnvironmentVariable("COMPlus_DbgEnableMiniDump")));
        return new SelfTestReport(status, checks);
    }

    private static IEnumerable<SelfTestCheck> CheckProbeBuffer(SecureMemoryStatus status)
    {
        SecureBuffer probe;
        try
        {
            probe = new SecureBuffer(ProbeSize);
        }
        catch (SecureMemoryException e)
        {
            string detail = "Allocating a buffer failed: " + e.Message;
            return [
                Fail(MemoryLockCheck, "buffer is locked in RAM", detail, LockAdvice),
                Fail(SecretMemoryCheck, "buffer is secret memory or not dumped", detail, LockAdvice),
            ];
        }

        using (probe)
        {
            SmapsMapping? mapping = SmapsReader.IsAvailable ? SmapsReader.FindSelf(probe.UnsafeAddress) : null;
            bool forcedByVariable = SourceForcedByVariable();
            return [
                EvaluateLock(probe.IsLocked, probe.Source, mapping, forcedByVariable),
                EvaluateSecretMemory(probe.Source, mapping, status.SecretMemoryAvailable, SecretMemoryErrno(), SeccompFilterActive(), forcedByVariable),
            ];
        }
    }

    /// <summary>Judges the lock from the kernel's VmFlags where smaps exists, else from the allocator's own record.</summary>
    internal static SelfTestCheck EvaluateLock(bool allocatorSaysLocked, SecureMemorySource source, SmapsMapping? mapping, bool forcedByVariable = false)
    {
        const string Title = "buffer is locked in RAM";

        // Managed memory never locks: when the variable chose it, raising limits would change nothing.
        string advice = forcedByVariable && source == SecureMemorySource.Managed ? ForcedSourceAdvice(source) : LockAdvice;
        if (SmapsReader.IsAvailable || mapping is not null)
        {
            if (mapping is null)
            {
                return Fail(MemoryLockCheck, Title, "The buffer's address is in no mapping of /proc/self/smaps.", BugAdvice);
            }

            return mapping.IsLocked
                ? Pass(MemoryLockCheck, Title, Invariant($"The kernel reports the {SourceName(source)} mapping as locked (VmFlags lo)."))
                : Fail(MemoryLockCheck, Title, Invariant($"The {SourceName(source)} mapping is not locked (no 'lo' in VmFlags): secrets can be swapped to disk."), advice);
        }

        return allocatorSaysLocked
            ? Pass(MemoryLockCheck, Title, Invariant($"The {SourceName(source)} buffer was locked by the OS (no /proc/self/smaps here to confirm it)."))
            : Fail(MemoryLockCheck, Title, Invariant($"The {SourceName(source)} buffer is not locked: secrets can be swapped to disk."), advice);
    }

    /// <summary>Secret memory passes; don't-dump pages warn (crash dumps and root can still read them); anything else fails.</summary>
    internal static SelfTestCheck EvaluateSecretMemory(
        SecureMemorySource source, SmapsMapping? mapping, bool secretMemoryAvailable, int secretMemoryErrno, bool seccompFilterActive, bool forcedByVariable = false)
    {
        const string Title = "buffer is secret memory or not dumped";
        bool isSecret = mapping?.IsSecretMemory ?? source == SecureMemorySource.SecretMemory;
        bool isDontDump = mapping?.IsDontDump ?? ((source is SecureMemorySource.LockedPages or SecureMemorySource.UnlockedPages) && Platform.IsLinux);
        if (isSecret)
        {
            return Pass(SecretMemoryCheck, Title, mapping is null
                ? "The buffer is memfd_secret memory."
                : Invariant($"The buffer is memfd_secret memory ('{mapping.Path}' in smaps): out of every dump and of /proc/PID/mem."));
        }

        string advice = secretMemoryAvailable || forcedByVariable
            ? ForcedSourceAdvice(source)
            : SecretMemoryAdvice(secretMemoryErrno, seccompFilterActive);
        if (isDontDump)
        {
            return Warn(SecretMemoryCheck, Title,
                "The buffer is marked don't-dump (VmFlags dd), but it is not secret memory: .NET crash dumps (createdump) and root via /proc/PID/mem can still read it.",
                advice);
        }

        return Fail(SecretMemoryCheck, Title,
            Invariant($"The {SourceName(source)} buffer is neither secret memory nor marked don't-dump: it will appear in core dumps."),
            advice);
    }

    /// <summary>The advice that fits why memfd_secret failed: its errno tells a seccomp filter, the lock limit and a kernel without it apart.</summary>
    internal static string SecretMemoryAdvice(int errno, bool seccompFilterActive)
    {
        const int EPERM = 1;
        const int EAGAIN = 11;
        return errno switch
        {
            EPERM => SeccompAdvice,
            EAGAIN => SecretMemoryLimitAdvice,
            _ when seccompFilterActive => SeccompAdvice,
            _ => EnableSecretMemoryAdvice,
        };
    }

    private static string ForcedSourceAdvice(SecureMemorySource source) => Invariant(
        $"{SecureAllocator.SourceVariable} selects {SourceName(source)} memory for this process; unset it to let the library choose the best source here.");

    private static bool SourceForcedByVariable() =>
        !string.IsNullOrEmpty(Environment.GetEnvironmentVariable(SecureAllocator.SourceVariable));

    /// <summary>
    /// Fills a slab buffer, releases it with <paramref name="release"/>, and reads the slot through a raw
    /// pointer. A neighbour in the same slab is held meanwhile, so the slab cannot be unmapped under the read.
    /// </summary>
    internal static unsafe SelfTestCheck CheckZeroOnDispose(Action<SecureBuffer> release)
    {
        const string Title = "Dispose zeroes the buffer";
        var held = new List<SecureBuffer>();
        try
        {
            (SecureBuffer? probe, bool hasNeighbour) = TakeSlabNeighbours(held);
            if (probe is null || !hasNeighbour)
            {
                return Warn(ZeroOnDisposeCheck, Title, "No two buffers landed in the same slab, so the freed slot could not be read safely.", BugAdvice);
            }

            nint address = probe.UnsafeAddress;
            probe.Span.Fill(Pattern);
            held.Remove(probe);
            release(probe);
            var afterRelease = new ReadOnlySpan<byte>((void*)address, ProbeSize);
            int left = afterRelease.IndexOfAnyExcept((byte)0);
            return left < 0
                ? Pass(ZeroOnDisposeCheck, Title, Invariant($"All {ProbeSize} bytes read back as zero after Dispose."))
                : Fail(ZeroOnDisposeCheck, Title, Invariant($"Byte {left} of {ProbeSize} was not zero after Dispose."), BugAdvice);
        }
        catch (SecureMemoryException e)
        {
            return Fail(ZeroOnDisposeCheck, Title, "Allocating a buffer failed: " + e.Message, LockAdvice);
        }
        finally
        {
            foreach (SecureBuffer buffer in held)
            {
                buffer.Dispose();
            }
        }
    }

    /// <summary>Allocates until two buffers sit in adjacent slots of one slab; all of them go into <paramref name="held"/>.</summary>
    private static (SecureBuffer? Probe, bool HasNeighbour) TakeSlabNeighbours(List<SecureBuffer> held)
    {
        // With 32-byte slots (48 with the header) two different 64 KiB slabs can never be exactly
        // one stride apart, so an address one stride away proves the slot shares the slab.
        nint stride = Slab.HeaderSize + SlabPool.ClassSize(ProbeSize);
        for (int i = 0; i < NeighbourAttempts; i++)
        {
            var next = new SecureBuffer(ProbeSize);
            held.Add(next);
            SecureBuffer? neighbour = held.Find(b => b != next && Math.Abs(b.UnsafeAddress - next.UnsafeAddress) == stride);
            if (neighbour is not null)
            {
                return (next, true);
            }
        }

        return (held.Count > 0 ? held[^1] : null, false);
    }

    /// <summary>Compares edge cases (empty, unequal lengths, a flipped bit at each end and in the middle) against SequenceEqual.</summary>
    /// <summary>Passes when key-bearing native calls scrub registers and stack; warns where they cannot.</summary>
    internal static SelfTestCheck CheckKeyUseScrubbing(SecureMemoryStatus status)
    {
        const string Title = "keys in use leave nothing in registers or stack";
        return status.RegisterAndStackScrubbing
            ? Pass(KeyUseScrubbingCheck, Title, Invariant($"After every key operation the stack it used and {status.ScrubbedRegisters} and the caller-saved general registers are zeroed."))
            : Warn(KeyUseScrubbingCheck, Title, "Register and stack scrubbing is off: " + status.RegisterAndStackScrubbingProblem + ". Key schedules can stay in registers and dead stack, and so in core files and crash dumps.", ScrubbingAdvice);
    }

    internal static SelfTestCheck CheckConstantTimeCompare()
    {
        const string Title = "constant-time compare is correct";
        int cases = 0;
        foreach (int length in (int[])[0, 1, 15, 16, 31, 32, 33, 63, 64, 65, 257, 4096])
        {
            byte[] left = RandomNumberGenerator.GetBytes(length);
            foreach (byte[] right in Variants(left))
            {
                cases++;
                string? problem = CompareDisagreement(left, right);
                if (problem is not null)
                {
                    return Fail(ConstantTimeCompareCheck, Title, problem, BugAdvice);
                }
            }
        }

        return Pass(ConstantTimeCompareCheck, Title, Invariant($"ConstantTimeEquals agrees with a plain compare in {cases} cases."));
    }

    private static string? CompareDisagreement(byte[] left, byte[] right)
    {
        try
        {
            return SecureMemory.ConstantTimeEquals(left, right) == left.AsSpan().SequenceEqual(right)
                ? null
                : Invariant($"ConstantTimeEquals disagrees with a plain compare for {left.Length} and {right.Length} bytes.");
        }
#pragma warning disable CA1031 // A self-test reports a throwing compare as a failed check; it must not take the caller down.
        catch (Exception e)
#pragma warning restore CA1031
        {
            return Invariant($"ConstantTimeEquals threw {e.GetType().Name} for {left.Length} and {right.Length} bytes: {e.Message}");
        }
    }

    private static IEnumerable<byte[]> Variants(byte[] left)
    {
        yield return (byte[])left.Clone();
        yield return [.. left, 0];
        if (left.Length == 0)
        {
            yield break;
        }

        yield return left[..^1];
        foreach (int index in (int[])[0, left.Length / 2, left.Length - 1])
        {
            byte[] flipped = (byte[])left.Clone();
            flipped[index] ^= 0x01;
            yield return flipped;
        }
    }

    /// <summary>Core files can hold any secret that is not in secret memory (passwords on their way in, derived keys in arrays).</summary>
    internal static SelfTestCheck CheckCoreDumps(SecureMemoryStatus status, string? corePattern)
    {
        const string Title = "core dumps are off";
        ArgumentNullException.ThrowIfNull(status);
        if (!status.CoreDumpsEnabled)
        {
            return Pass(CoreDumpsCheck, Title, "RLIMIT_CORE is 0: the kernel writes no core file of this process.");
        }

        string limit = status.CoreDumpLimit is { } bytes ? Invariant($"{bytes} bytes") : "unlimited";
        string where = corePattern is null ? string.Empty
            : corePattern.StartsWith('|') ? Invariant($", piped to '{corePattern[1..].Split(' ')[0]}'")
            : Invariant($", written as '{corePattern}'");
        return Warn(CoreDumpsCheck, Title, Invariant($"Core dumps are on (RLIMIT_CORE {limit}{where})."), CoreDumpAdvice);
    }

    /// <summary>createdump ignores MADV_DONTDUMP, so only secret memory is safe from it.</summary>
    internal static SelfTestCheck CheckCrashDumps(SecureMemorySource source, string? miniDumpSetting)
    {
        const string Title = ".NET crash dumps leave secrets out";
        bool enabled = miniDumpSetting?.Trim() == "1";
        if (!enabled)
        {
            return Pass(CrashDumpsCheck, Title, "DOTNET_DbgEnableMiniDump is not set: the runtime writes no crash dump.");
        }

        return source == SecureMemorySource.SecretMemory
            ? Pass(CrashDumpsCheck, Title, "Crash dumps are on, and secret memory is left out of them.")
            : Warn(CrashDumpsCheck, Title,
                "DOTNET_DbgEnableMiniDump=1 and the buffers are not secret memory: createdump ignores don't-dump and will write them.",
                "Unset DOTNET_DbgEnableMiniDump for this service, or enable secret memory (memfd_secret).");
    }

    private static string? ReadCorePattern()
    {
        const string Path = "/proc/sys/kernel/core_pattern";
        try
        {
            return Platform.IsLinux && File.Exists(Path) ? File.ReadAllText(Path).Trim() : null;
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>Maps one page of secret memory for the errno of a failure: EPERM points at seccomp, EAGAIN at the lock limit, ENOSYS at the kernel.</summary>
    private static int SecretMemoryErrno()
    {
        if (!Platform.IsLinux)
        {
            return 0;
        }

        try
        {
            MappedRegion region = SecretMemorySource.Instance.Map(PageSource.PageSize, guarded: false);
            SecretMemorySource.Instance.Unmap(region);
            return 0;
        }
        catch (SecureMemoryException e)
        {
            return e.NativeErrorCode;
        }
    }

    private static bool SeccompFilterActive()
    {
        const string Path = "/proc/self/status";
        if (!Platform.IsLinux || !File.Exists(Path))
        {
            return false;
        }

        string? line = File.ReadLines(Path).FirstOrDefault(l => l.StartsWith("Seccomp:", StringComparison.Ordinal));
        return line is not null && line["Seccomp:".Length..].Trim() == "2";
    }

    private static string SourceName(SecureMemorySource source) => SourceNames.Of(source);

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    private static SelfTestCheck Pass(string id, string title, string detail) => new(id, title, SelfTestOutcome.Pass, detail, null);

    private static SelfTestCheck Warn(string id, string title, string detail, string advice) => new(id, title, SelfTestOutcome.Warn, detail, advice);

    private static SelfTestCheck Fail(string id, string title, string detail, string advice) => new(id, title, SelfTestOutcome.Fail, detail, advice);
}
