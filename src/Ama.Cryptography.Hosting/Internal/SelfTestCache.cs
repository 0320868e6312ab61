namespace Ama.Cryptography.Hosting.Internal;

/// <summary>
/// Runs <see cref="SecureMemorySelfTest.Run"/> off the request thread and keeps its report for
/// <see cref="CacheTime"/>; callers that arrive while it runs share the same run.
/// </summary>
internal sealed class SelfTestCache(TimeProvider? timeProvider = null)
{
    /// <summary>
    /// How long a report is reused. The protections it checks (limits, capabilities, the kernel's
    /// secretmem) change only when the service is reconfigured, so five minutes keeps a health
    /// endpoint polled every few seconds from allocating probe buffers on each poll while still
    /// noticing a change soon.
    /// </summary>
    internal static readonly TimeSpan CacheTime = TimeSpan.FromMinutes(5);

    private readonly Lock gate = new();
    private readonly TimeProvider clock = timeProvider ?? TimeProvider.System;
    private Task<SelfTestReport>? current;
    private DateTimeOffset startedAt;

    internal Task<SelfTestReport> GetReportAsync()
    {
        lock (gate)
        {
            if (current is null || current.IsFaulted || (current.IsCompleted && clock.GetUtcNow() - startedAt >= CacheTime))
            {
                startedAt = clock.GetUtcNow();
                current = Task.Run(SecureMemorySelfTest.Run);
            }

            return current;
        }
    }
}
