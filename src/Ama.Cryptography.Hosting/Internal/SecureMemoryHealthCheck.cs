using System.Globalization;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Ama.Cryptography.Hosting.Internal;

/// <summary>
/// Reports the cached secure-memory self test: Pass is Healthy, Warn is Degraded, Fail is the
/// registration's failure status. The description and data, which tell how this host's protection
/// of secrets is weak, are given only when the registration asked for them.
/// </summary>
internal sealed class SecureMemoryHealthCheck(SelfTestCache cache, bool includeDetails) : IHealthCheck
{
    internal const string BackendKey = "backend";
    internal const string MemorySourceKey = "memory-source";

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        SelfTestReport report = await cache.GetReportAsync().WaitAsync(cancellationToken).ConfigureAwait(false);
        HealthStatus status = report.Outcome switch
        {
            SelfTestOutcome.Pass => HealthStatus.Healthy,
            SelfTestOutcome.Warn => HealthStatus.Degraded,
            _ => context.Registration.FailureStatus,
        };
        return includeDetails ? new HealthCheckResult(status, Describe(report), data: DataOf(report)) : new HealthCheckResult(status);
    }

    private static string Describe(SelfTestReport report)
    {
        var problems = report.Checks.Where(c => c.Outcome != SelfTestOutcome.Pass).Select(c => c.Id + " " + c.Outcome).ToList();
        return problems.Count == 0
            ? "Secure memory self test: every check passed."
            : "Secure memory self test: " + string.Join(", ", problems) + ". See the data for advice.";
    }

    /// <summary>Strings only, so any JSON writer (reflection or source-generated) can write the data.</summary>
    private static Dictionary<string, object> DataOf(SelfTestReport report)
    {
        var data = new Dictionary<string, object>(StringComparer.Ordinal)
        {
            [BackendKey] = report.Status.Backend.ToString(),
            [MemorySourceKey] = report.Status.MemorySource.ToString(),
        };
        foreach (SelfTestCheck check in report.Checks)
        {
            data[check.Id] = check.Advice is null
                ? string.Create(CultureInfo.InvariantCulture, $"{check.Outcome}: {check.Detail}")
                : string.Create(CultureInfo.InvariantCulture, $"{check.Outcome}: {check.Detail} Advice: {check.Advice}");
        }

        return data;
    }
}
