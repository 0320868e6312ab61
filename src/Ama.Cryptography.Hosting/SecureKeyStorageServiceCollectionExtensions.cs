using Ama.Cryptography.Hosting;
using Ama.Cryptography.Hosting.Internal;
using Ama.Cryptography.KeyManagement;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers a <see cref="SecureKeyStorage"/> singleton configured through <see cref="SecureKeyStorageOptions"/>.</summary>
/// <remarks>
/// <para>
/// The storage is opened on its first resolution, and at the latest while the host starts (a
/// hosted service resolves it), so a wrong credential or a damaged file stops the start with
/// <see cref="KeyStoreCredentialException"/> or <see cref="KeyStoreDamagedException"/> and the file
/// is left as it was. The options are validated before that (<c>ValidateOnStart</c>): a bad
/// option fails the start with an <see cref="OptionsValidationException"/> naming it.
/// </para>
/// <para>
/// The container disposes the storage with the host. While it is open, a watcher on the file's
/// directory calls <see cref="SecureKeyStorage.Refresh"/> shortly after another process changes
/// the file. Both methods also send the library's warnings to the host's <c>ILoggerFactory</c>.
/// The two overloads can be combined; options set in code after the configuration win.
/// </para>
/// </remarks>
public static class SecureKeyStorageServiceCollectionExtensions
{
    /// <summary>The configuration section <see cref="AddSecureKeyStorage(IServiceCollection, IConfiguration, string)"/> binds by default.</summary>
    private const string DefaultSectionName = "Ama:KeyStore";

    /// <summary>Registers the key store singleton, configured in code.</summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">Sets the options.</param>
    /// <returns><paramref name="services"/>, for chaining.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <example>
    /// <code>
    /// builder.Services.AddSecureKeyStorage(o =>
    /// {
    ///     o.Path = "/var/lib/app/keys.amaks";
    ///     o.KeyFile = "/run/secrets/keystore.key";
    ///     o.CreateIfMissing = true;
    /// });
    /// </code>
    /// </example>
    public static IServiceCollection AddSecureKeyStorage(this IServiceCollection services, Action<SecureKeyStorageOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        AddCore(services);
        services.Configure(configure);
        return services;
    }

    /// <summary>
    /// Registers the key store singleton, configured from a section of <paramref name="configuration"/>:
    /// the keys <c>Path</c>, <c>KeyFile</c>, <c>PasswordFile</c>, <c>KeyEnvironmentVariable</c>,
    /// <c>CreateIfMissing</c> and <c>AllowGroupOrWorldReadableCredentialFiles</c> (true/false), and <c>Kdf:Algorithm</c> (Argon2id or Pbkdf2Sha256),
    /// <c>Kdf:MemoryKiB</c>, <c>Kdf:Iterations</c>. A value that does not parse fails validation at
    /// start-up with a message naming its key. <see cref="SecureKeyStorageOptions.Credential"/> can
    /// only be set in code.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configuration">The configuration, usually the host's <c>builder.Configuration</c>.</param>
    /// <param name="sectionName">The section to bind; <c>"Ama:KeyStore"</c> by default.</param>
    /// <returns><paramref name="services"/>, for chaining.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    public static IServiceCollection AddSecureKeyStorage(this IServiceCollection services, IConfiguration configuration, string sectionName = DefaultSectionName)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(sectionName);
        AddCore(services);
        services.AddSingleton<IConfigureOptions<SecureKeyStorageOptions>>(new ConfigurationOptionsSetup(configuration.GetSection(sectionName)));
        return services;
    }

    private static void AddCore(IServiceCollection services)
    {
        services.AddOptions<SecureKeyStorageOptions>().ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<SecureKeyStorageOptions>, SecureKeyStorageOptionsValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, SecureMemoryLoggingStartup>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, KeyStoreStartup>());
        services.TryAddSingleton<KeyStoreFileWatcher>();
        services.TryAddSingleton<KeyStoreOpener>();
        services.TryAddSingleton(KeyStoreOpener.Create);
    }
}
