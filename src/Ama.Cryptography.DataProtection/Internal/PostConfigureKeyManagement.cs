using Ama.Cryptography.KeyManagement;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Ama.Cryptography.DataProtection;

/// <summary>
/// After every Configure (so after PersistKeysTo..., in whatever order the app called them), wraps the
/// configured repository in <see cref="SealedKeyRingRepository"/>. A post-configure is the last point
/// where the repository is visible: Data Protection reads these options once, when it builds its key manager.
/// </summary>
internal sealed class PostConfigureKeyManagement(IServiceProvider services) : IPostConfigureOptions<KeyManagementOptions>
{
    public void PostConfigure(string? name, KeyManagementOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.XmlEncryptor is not SecureKeyStorageXmlEncryptor)
        {
            throw Error.ProtectWithOtherEncryptor(options.XmlEncryptor?.GetType().FullName ?? "(none)");
        }

        switch (options.XmlRepository)
        {
            case null:
                // Data Protection picks its default repository after the options are built, out of reach of a wrapper.
                throw Error.ProtectWithoutRepository();
            case SealedKeyRingRepository:
                return;
            default:
                SecureKeyStorage storage = services.GetService<SecureKeyStorage>() ?? throw Error.KeyStorageNotRegistered();
                options.XmlRepository = new SealedKeyRingRepository(
                    options.XmlRepository,
                    storage,
                    (services.GetService<ILoggerFactory>() ?? NullLoggerFactory.Instance).CreateLogger<SealedKeyRingRepository>());
                break;
        }
    }
}
