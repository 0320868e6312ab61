using System.Text.Json.Serialization;
using Ama.Cryptography;

namespace Ama.Cli.Status;

/// <summary>
/// The stable JSON of <c>ama status --json</c>, schema version 1 (docs/cli.md). Fields are only ever
/// added; a rename or a change of meaning bumps <see cref="SchemaVersion"/>.
/// </summary>
internal sealed record StatusDocument(
    int SchemaVersion,
    string Outcome,
    int ExitCode,
    HostStatusDocument? Status,
    IReadOnlyList<CheckDocument> Checks)
{
    internal const int CurrentSchemaVersion = 1;

    internal static StatusDocument From(SelfTestReport report, int exitCode) => new(
        CurrentSchemaVersion,
        Names.Outcome(report.Outcome),
        exitCode,
        HostStatusDocument.From(report.Status),
        [.. report.Checks.Select(CheckDocument.From)]);

    /// <summary>When the backend cannot be loaded nothing about the host is known: status is null and one check says why.</summary>
    internal static StatusDocument ForUnusableBackend(SelfTestCheck check, int exitCode) =>
        new(CurrentSchemaVersion, Names.Outcome(check.Outcome), exitCode, null, [CheckDocument.From(check)]);
}

/// <summary>The host part of the status document; sizes are in bytes and null means unlimited or unknown.</summary>
internal sealed record HostStatusDocument(
    string Backend,
    string? NativeVersion,
    string? NativeLibraryPath,
    string ZeroingMethod,
    string MemorySource,
    bool SecretMemoryAvailable,
    string? SecretMemoryProblem,
    bool LockingWorks,
    string? LockingProblem,
    ulong? MemoryLockLimitSoft,
    ulong? MemoryLockLimitHard,
    bool HasIpcLockCapability,
    bool CoreDumpsEnabled,
    ulong? CoreDumpLimit,
    long DegradedAllocations,
    bool RegisterAndStackScrubbing,
    string? RegisterAndStackScrubbingProblem,
    string ScrubbedRegisters,
    string OperatingSystem,
    string Architecture)
{
    internal static HostStatusDocument From(SecureMemoryStatus status) => new(
        Names.Backend(status.Backend),
        status.NativeVersion,
        status.NativeLibraryPath,
        status.ZeroingMethod,
        Names.Source(status.MemorySource),
        status.SecretMemoryAvailable,
        status.SecretMemoryProblem,
        status.LockingWorks,
        status.LockingProblem,
        status.MemoryLockLimitSoft,
        status.MemoryLockLimitHard,
        status.HasIpcLockCapability,
        status.CoreDumpsEnabled,
        status.CoreDumpLimit,
        status.DegradedAllocations,
        status.RegisterAndStackScrubbing,
        status.RegisterAndStackScrubbingProblem,
        status.ScrubbedRegisters,
        status.OperatingSystem,
        status.Architecture.ToString().ToLowerInvariant());
}

/// <summary>One check in the status document.</summary>
internal sealed record CheckDocument(string Id, string Title, string Outcome, string Detail, string? Advice)
{
    internal static CheckDocument From(SelfTestCheck check) =>
        new(check.Id, check.Title, Names.Outcome(check.Outcome), check.Detail, check.Advice);
}

/// <summary>The fixed spellings of enum values in JSON, independent of the C# member names.</summary>
internal static class Names
{
    internal static string Outcome(SelfTestOutcome outcome) => outcome switch
    {
        SelfTestOutcome.Pass => "pass",
        SelfTestOutcome.Warn => "warn",
        _ => "fail",
    };

    internal static string Backend(SecureMemoryBackend backend) => backend == SecureMemoryBackend.Native ? "native" : "managed";

    internal static string Source(SecureMemorySource source) => Cryptography.Memory.SourceNames.Of(source);
}

[JsonSourceGenerationOptions(WriteIndented = true, PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(StatusDocument))]
internal sealed partial class StatusJsonContext : JsonSerializerContext;
