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
    /// The result's data holds <c>backend</c>, <c>memory-source</c> and, for each check id (such as
    /// <c>memory-lock</c>), a string "Outcome: detail" followed by " Advice: ..." when there is something to fix.
    /// </summary>
    /// <param name="builder">The health checks builder.</param>
    /// <param name="name">The check's name.</param>
    /// <param name="failureStatus">The status reported when a check fails; <see langword="null"/> means <see cref="HealthStatus.Unhealthy"/>.</param>
    /// <param name="tags">Tags to filter checks by; <see langword="null"/> for none.</param>
    /// <returns><paramref name="builder"/>, for chaining.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> or <paramref name="name"/> is null.</exception>
    public static IHealthChecksBuilder AddSecureMemoryCheck(
        this IHealthChecksBuilder builder, string name = "secure-memory", HealthStatus? failureStatus = null, IEnumerable<string>? tags = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(name);
        builder.Services.TryAddSingleton(static sp => new SelfTestCache(sp.GetService<TimeProvider>()));
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, SecureMemoryLoggingStartup>());
        return builder.Add(new HealthCheckRegistration(
            name,
            static sp => new SecureMemoryHealthCheck(sp.GetRequiredService<SelfTestCache>()),
            failureStatus ?? HealthStatus.Unhealthy,
            tags));
    }
}
