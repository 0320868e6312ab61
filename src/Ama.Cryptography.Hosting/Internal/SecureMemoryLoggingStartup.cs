using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Ama.Cryptography.Hosting.Internal;

/// <summary>Sends the library's warnings to the host's logging when the host starts, so that no static call is needed.</summary>
internal sealed class SecureMemoryLoggingStartup(ILoggerFactory loggerFactory) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        SecureMemory.UseLoggerFactory(loggerFactory);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
