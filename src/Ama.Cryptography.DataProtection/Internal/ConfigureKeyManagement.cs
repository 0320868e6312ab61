using Ama.Cryptography.KeyManagement;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Ama.Cryptography.DataProtection;

/// <summary>Points <see cref="KeyManagementOptions"/> at the registered key store; it runs when Data Protection first reads its options, so the store opens then.</summary>
internal sealed class ConfigureKeyManagement(IServiceProvider services, string? kekName, bool persist) : IConfigureOptions<KeyManagementOptions>
{
    public void Configure(KeyManagementOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        SecureKeyStorage storage = services.GetService<SecureKeyStorage>() ?? throw Error.KeyStorageNotRegistered();
        if (kekName is not null)
        {
            options.XmlEncryptor = new SecureKeyStorageXmlEncryptor(storage, kekName);
        }

        if (persist)
        {
            options.XmlRepository = new SecureKeyStorageXmlRepository(
                storage, (services.GetService<ILoggerFactory>() ?? NullLoggerFactory.Instance).CreateLogger<SecureKeyStorageXmlRepository>());
        }
    }
}
