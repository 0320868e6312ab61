using Ama.Cryptography;
using Ama.Cryptography.Hosting.Internal;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Adds a health check that reports the secure-memory self test (<see cref="SecureMemorySelfTest"/>).</summary>
public static class SecureMemoryHealthChecksBuilderExtensions
{
    /// <summary>
    /// Adds a check that runs <see cref="SecureMemorySelfTest.Run"/> and maps its outcome: Pass to
    /// Healthy, Warn to Degraded, Fail to <paramref name="failureStatus"/> (Unhealthy by default).
    /// The self test runs once, off the request thread, and its result is reused for five minutes.
    /// By default the result is the status alone, with no description and no data: a health
    /// endpoint is often open to anyone, and the details say how this host's protection of secrets
    /// is weak. With <paramref name="includeDetails"/>, the result's description names the checks
    /// that did not pass, and its data holds <c>backend</c>, <c>memory-source</c> and, for each check
    /// id (such as <c>memory-lock</c>), a string "Outcome: detail" followed by " Advice: ..." when
    /// there is something to fix; write those only on an endpoint behind authorization.
    /// </summary>
    /// <param name="builder">The health checks builder.</param>
    /// <param name="name">The check's name.</param>
    /// <param name="failureStatus">The status reported when a check fails; <see langword="null"/> means <see cref="HealthStatus.Unhealthy"/>.</param>
    /// <param name="tags">Tags to filter checks by; <see langword="null"/> for none.</param>
    /// <param name="includeDetails">Whether the result carries the description and data; <see langword="false"/> (the default) gives the status only.</param>
    /// <returns><paramref name="builder"/>, for chaining.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> or <paramref name="name"/> is null.</exception>
    public static IHealthChecksBuilder AddSecureMemoryCheck(
        this IHealthChecksBuilder builder,
        string name = "secure-memory",
        HealthStatus? failureStatus = null,
        IEnumerable<string>? tags = null,
        bool includeDetails = false)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(name);
        builder.Services.TryAddSingleton(static sp => new SelfTestCache(sp.GetService<TimeProvider>()));
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, SecureMemoryLoggingStartup>());
        return builder.Add(new HealthCheckRegistration(
            name,
            sp => new SecureMemoryHealthCheck(sp.GetRequiredService<SelfTestCache>(), includeDetails),
            failureStatus ?? HealthStatus.Unhealthy,
            tags));
    }
}
