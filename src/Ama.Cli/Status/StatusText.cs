using Ama.Cryptography;

namespace Ama.Cli.Status;

/// <summary>The human-readable form of <c>ama status</c>.</summary>
internal static class StatusText
{
    internal static void Write(TextWriter output, SelfTestReport report, bool color)
    {
        SecureMemoryStatus status = report.Status;
        output.WriteLine(Terminal.Paint("Host", ConsoleColor.White, color));
        Line(output, "backend", status.Backend == SecureMemoryBackend.Native ? $"native {status.NativeVersion} ({status.NativeLibraryPath})" : "managed");
        Line(output, "memory source", Names.Source(status.MemorySource));
        Line(output, "secret memory", status.SecretMemoryAvailable ? "available (memfd_secret)" : $"unavailable: {status.SecretMemoryProblem}");
        Line(output, "locking", status.LockingWorks ? "works" : $"fails: {status.LockingProblem}");
        Line(output, "RLIMIT_MEMLOCK", $"soft {Limit(status.MemoryLockLimitSoft)}, hard {Limit(status.MemoryLockLimitHard)}");
        Line(output, "CAP_IPC_LOCK", status.HasIpcLockCapability ? "held" : "not held");
        Line(output, "core dumps", status.CoreDumpsEnabled ? $"enabled (RLIMIT_CORE {Limit(status.CoreDumpLimit)})" : "disabled (RLIMIT_CORE 0)");
        Line(output, "zeroing", status.ZeroingMethod);
        Line(output, "key-use scrub", status.RegisterAndStackScrubbing ? $"on: stack and {status.ScrubbedRegisters} after every key operation" : $"off: {status.RegisterAndStackScrubbingProblem}");
        Line(output, "degraded allocs", status.DegradedAllocations.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Line(output, "platform", $"{status.OperatingSystem} {status.Architecture}");
        output.WriteLine();
        output.WriteLine(Terminal.Paint("Self-test", ConsoleColor.White, color));
        foreach (SelfTestCheck check in report.Checks)
        {
            WriteCheck(output, check, color);
        }

        output.WriteLine();
        int warned = report.Checks.Count(c => c.Outcome == SelfTestOutcome.Warn);
        int failed = report.Checks.Count(c => c.Outcome == SelfTestOutcome.Fail);
        output.WriteLine($"Result: {Label(report.Outcome, color)} ({report.Checks.Count - warned - failed} passed, {warned} warned, {failed} failed)");
    }

    internal static void WriteUnusableBackend(TextWriter output, SelfTestCheck check, bool color)
    {
        output.WriteLine(Terminal.Paint("Host", ConsoleColor.White, color));
        Line(output, "backend", "unusable; no other check could run");
        output.WriteLine();
        output.WriteLine(Terminal.Paint("Self-test", ConsoleColor.White, color));
        WriteCheck(output, check, color);
        output.WriteLine();
        output.WriteLine($"Result: {Label(check.Outcome, color)} (0 passed, 0 warned, 1 failed)");
    }

    private static void WriteCheck(TextWriter output, SelfTestCheck check, bool color)
    {
        output.WriteLine($"  {Label(check.Outcome, color)}  {check.Title} [{check.Id}]");
        output.WriteLine($"        {check.Detail}");
        if (check.Advice is not null)
        {
            output.WriteLine($"        advice: {check.Advice}");
        }
    }

    private static void Line(TextWriter output, string label, string value) => output.WriteLine($"  {label,-17}{value}");

    private static string Label(SelfTestOutcome outcome, bool color) => outcome switch
    {
        SelfTestOutcome.Pass => Terminal.Paint("PASS", ConsoleColor.Green, color),
        SelfTestOutcome.Warn => Terminal.Paint("WARN", ConsoleColor.Yellow, color),
        _ => Terminal.Paint("FAIL", ConsoleColor.Red, color),
    };

    private static string Limit(ulong? bytes) => bytes switch
    {
        null => "unlimited",
        >= 1024 * 1024 => $"{bytes / (1024 * 1024)} MiB",
        >= 1024 => $"{bytes / 1024} KiB",
        _ => $"{bytes} bytes",
    };
}
