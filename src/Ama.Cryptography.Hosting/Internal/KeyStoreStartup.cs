using Ama.Cryptography.KeyManagement;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Ama.Cryptography.Hosting.Internal;

/// <summary>
/// Opens the key store while the host starts, so that a wrong password, a damaged file or a
/// missing one stops the start with the key store's own exception instead of failing the first
/// request that needs a key. Opening only reads the file.
/// </summary>
internal sealed class KeyStoreStartup(IServiceProvider services) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        _ = services.GetRequiredService<SecureKeyStorage>();
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
