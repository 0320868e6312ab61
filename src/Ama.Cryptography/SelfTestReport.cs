namespace Ama.Cryptography;

/// <summary>The result of <see cref="SecureMemorySelfTest.Run"/>: the host's status and the live checks.</summary>
public sealed class SelfTestReport
{
    /// <summary>Initializes a report.</summary>
    /// <param name="status">The status the checks were run against.</param>
    /// <param name="checks">The checks, in the order they ran.</param>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    public SelfTestReport(SecureMemoryStatus status, IReadOnlyList<SelfTestCheck> checks)
    {
        ArgumentNullException.ThrowIfNull(status);
        ArgumentNullException.ThrowIfNull(checks);
        Status = status;
        Checks = checks;
    }

    /// <summary>Gets the host's status, as <see cref="SecureMemory.GetStatus"/> returned it before the checks ran.</summary>
    public SecureMemoryStatus Status { get; }

    /// <summary>Gets the checks, in the order they ran.</summary>
    public IReadOnlyList<SelfTestCheck> Checks { get; }

    /// <summary>Gets the worst outcome of all checks: <see cref="SelfTestOutcome.Pass"/> only when every check passed.</summary>
    public SelfTestOutcome Outcome => Checks.Count == 0 ? SelfTestOutcome.Pass : Checks.Max(c => c.Outcome);
}
