using Ama.Cryptography;
using Ama.Cryptography.Memory;

namespace Ama.Cli.Tests;

/// <summary>The self-test's judgements on crafted input, including the failures a healthy host never shows.</summary>
public class SelfTestJudgementTests
{
    private const string Smaps = """
        7f72e562c000-7f72e562d000 rw-p 00000000 00:00 0 
        Size:                  4 kB
        Locked:                4 kB
        VmFlags: rd wr mr mw me lo ac wf dd 
        7f72e562d000-7f72e562e000 rw-s 00000000 00:0e 50499                      /secretmem (deleted)
        Size:                  4 kB
        Locked:                4 kB
        VmFlags: rd wr sh mr mw ms lo dd 
        7f72e562e000-7f72e5630000 rw-p 00000000 00:00 0 
        Size:                  8 kB
        VmFlags: rd wr mr mw me ac 
        """;

    [Fact]
    public void Smaps_finds_the_secretmem_mapping_with_its_flags()
    {
        SmapsMapping? mapping = SmapsReader.Find(Smaps.Split('\n'), 0x7f72e562d010);
        Assert.NotNull(mapping);
        Assert.Equal("/secretmem (deleted)", mapping.Path);
        Assert.True(mapping.IsSecretMemory);
        Assert.True(mapping.IsLocked);
        Assert.True(mapping.IsDontDump);
    }

    [Fact]
    public void Smaps_anonymous_mapping_is_neither_secret_nor_locked()
    {
        SmapsMapping? mapping = SmapsReader.Find(Smaps.Split('\n'), 0x7f72e562f000);
        Assert.NotNull(mapping);
        Assert.Equal(string.Empty, mapping.Path);
        Assert.False(mapping.IsSecretMemory);
        Assert.False(mapping.IsLocked);
        Assert.False(mapping.IsDontDump);
    }

    [Fact]
    public void Smaps_address_outside_every_mapping_is_null()
    {
        Assert.Null(SmapsReader.Find(Smaps.Split('\n'), 0x7f72e5630000));
    }

    [Fact]
    public void Unlocked_mapping_fails_the_lock_check_with_memlock_advice()
    {
        SmapsMapping mapping = SmapsReader.Find(Smaps.Split('\n'), 0x7f72e562f000)!;
        SelfTestCheck check = SecureMemorySelfTest.EvaluateLock(true, SecureMemorySource.LockedPages, mapping);
        Assert.Equal(SelfTestOutcome.Fail, check.Outcome);
        Assert.Contains("RLIMIT_MEMLOCK", check.Advice, StringComparison.Ordinal);
    }

    [Fact]
    public void Locked_mapping_passes_the_lock_check()
    {
        SmapsMapping mapping = SmapsReader.Find(Smaps.Split('\n'), 0x7f72e562c000)!;
        Assert.Equal(SelfTestOutcome.Pass, SecureMemorySelfTest.EvaluateLock(true, SecureMemorySource.LockedPages, mapping).Outcome);
    }

    [Fact]
    public void Dont_dump_pages_warn_and_plain_pages_fail_the_secret_memory_check()
    {
        string[] lines = Smaps.Split('\n');
        SelfTestCheck secret = SecureMemorySelfTest.EvaluateSecretMemory(SecureMemorySource.SecretMemory, SmapsReader.Find(lines, 0x7f72e562d000), true, 0, false);
        SelfTestCheck dontDump = SecureMemorySelfTest.EvaluateSecretMemory(SecureMemorySource.LockedPages, SmapsReader.Find(lines, 0x7f72e562c000), false, 38, false);
        SelfTestCheck plain = SecureMemorySelfTest.EvaluateSecretMemory(SecureMemorySource.Managed, SmapsReader.Find(lines, 0x7f72e562e000), false, 38, false);
        Assert.Equal(SelfTestOutcome.Pass, secret.Outcome);
        Assert.Equal(SelfTestOutcome.Warn, dontDump.Outcome);
        Assert.Contains("secretmem", dontDump.Advice, StringComparison.Ordinal);
        Assert.Equal(SelfTestOutcome.Fail, plain.Outcome);
    }

    [Fact]
    public void Blocked_memfd_secret_under_seccomp_gets_the_seccomp_advice()
    {
        const int EPERM = 1;
        SelfTestCheck check = SecureMemorySelfTest.EvaluateSecretMemory(SecureMemorySource.LockedPages, null, false, EPERM, seccompFilterActive: true);
        Assert.Contains("seccomp", check.Advice, StringComparison.Ordinal);
    }

    [Fact]
    public void Zero_on_dispose_passes_with_the_real_dispose()
    {
        SelfTestCheck check = SecureMemorySelfTest.CheckZeroOnDispose(static buffer => buffer.Dispose());
        Assert.True(check.Outcome == SelfTestOutcome.Pass, check.ToString());
    }

    /// <summary>Negative control: a release that leaves the bytes in place must fail the check.</summary>
    [Fact]
    public void Zero_on_dispose_fails_when_the_release_does_not_zero()
    {
        var kept = new List<SecureBuffer>();
        SelfTestCheck check = SecureMemorySelfTest.CheckZeroOnDispose(kept.Add);
        foreach (SecureBuffer buffer in kept)
        {
            buffer.Dispose();
        }

        Assert.True(check.Outcome == SelfTestOutcome.Fail, check.ToString());
    }

    [Fact]
    public void Core_dumps_on_warn_and_off_pass()
    {
        SecureMemoryStatus status = SecureMemory.GetStatus();
        SecureMemoryStatus on = Copy(status, coreDumps: true);
        SecureMemoryStatus off = Copy(status, coreDumps: false);
        SelfTestCheck warn = SecureMemorySelfTest.CheckCoreDumps(on, "|/usr/lib/systemd/systemd-coredump %P");
        Assert.Equal(SelfTestOutcome.Warn, warn.Outcome);
        Assert.Contains("systemd-coredump", warn.Detail, StringComparison.Ordinal);
        Assert.Contains("LimitCORE=0", warn.Advice, StringComparison.Ordinal);
        Assert.Equal(SelfTestOutcome.Pass, SecureMemorySelfTest.CheckCoreDumps(off, "core").Outcome);
    }

    [Fact]
    public void Crash_dumps_warn_only_without_secret_memory()
    {
        Assert.Equal(SelfTestOutcome.Warn, SecureMemorySelfTest.CheckCrashDumps(SecureMemorySource.LockedPages, "1").Outcome);
        Assert.Equal(SelfTestOutcome.Pass, SecureMemorySelfTest.CheckCrashDumps(SecureMemorySource.SecretMemory, "1").Outcome);
        Assert.Equal(SelfTestOutcome.Pass, SecureMemorySelfTest.CheckCrashDumps(SecureMemorySource.LockedPages, null).Outcome);
    }

    [Fact]
    public void Report_outcome_is_the_worst_check()
    {
        SecureMemoryStatus status = SecureMemory.GetStatus();
        var pass = new SelfTestCheck("a", "a", SelfTestOutcome.Pass, "ok", null);
        var warn = new SelfTestCheck("b", "b", SelfTestOutcome.Warn, "meh", "fix");
        var fail = new SelfTestCheck("c", "c", SelfTestOutcome.Fail, "bad", "fix");
        Assert.Equal(SelfTestOutcome.Pass, new SelfTestReport(status, [pass]).Outcome);
        Assert.Equal(SelfTestOutcome.Warn, new SelfTestReport(status, [pass, warn]).Outcome);
        Assert.Equal(SelfTestOutcome.Fail, new SelfTestReport(status, [fail, warn, pass]).Outcome);
    }

    private static SecureMemoryStatus Copy(SecureMemoryStatus status, bool coreDumps) => new()
    {
        Backend = status.Backend,
        ZeroingMethod = status.ZeroingMethod,
        MemorySource = status.MemorySource,
        SecretMemoryAvailable = status.SecretMemoryAvailable,
        LockingWorks = status.LockingWorks,
        HasIpcLockCapability = status.HasIpcLockCapability,
        CoreDumpsEnabled = coreDumps,
        CoreDumpLimit = coreDumps ? null : 0,
        OperatingSystem = status.OperatingSystem,
        Architecture = status.Architecture,
    };
}
