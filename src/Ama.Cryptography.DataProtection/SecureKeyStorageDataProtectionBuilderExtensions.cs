using System.Diagnostics.CodeAnalysis;
using Ama.Cryptography.DataProtection;
using Ama.Cryptography.KeyManagement;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Microsoft.AspNetCore.DataProtection;

/// <summary>
/// Protects ASP.NET Core Data Protection keys with the <see cref="SecureKeyStorage"/> registered in
/// the service collection: the key XML sealed with a key-encryption key that stays in the store and in
/// secure memory, and the key ring kept inside the key store file.
/// </summary>
public static class SecureKeyStorageDataProtectionBuilderExtensions
{
    /// <summary>
    /// Encrypts each Data Protection key's master key with AES-256-GCM (<see cref="Ama.Cryptography.SecureAesGcm"/>) under a
    /// 32-byte key-encryption key stored in the registered <see cref="SecureKeyStorage"/> as <paramref name="keyName"/>.
    /// The key-encryption key is created on first use; storing a new version of it rotates it for new keys,
    /// and keys sealed under older versions keep decrypting while those versions stay in the store.
    /// The configured key repository (which must be set explicitly) is wrapped: each new key's sealed master key
    /// is bound to its key element (id, dates, algorithms), and a key whose master key this did not seal (a plain
    /// &lt;masterKey&gt; planted in a key folder) is refused with a Warning naming its id.
    /// </summary>
    /// <param name="builder">The Data Protection builder.</param>
    /// <param name="keyName">The key store entry of the key-encryption key: 1 to 128 characters of A-Z, a-z, 0-9, '.', '_' and '-'.</param>
    /// <returns>The builder, for chaining.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="keyName"/> is not a valid key name, or starts with the key ring's prefix "dataprotection.xml.".</exception>
    /// <remarks>When Data Protection first reads its options, an <see cref="InvalidOperationException"/> says so if no key repository is configured, or if another XML encryptor replaced this one.</remarks>
    // Data Protection creates the decryptor from the type name written in the key XML, through its
    // IServiceProvider constructor. Nothing else references that constructor, so a trimmed or
    // Native AOT app removes it and cannot read back any key it wrote in an earlier run.
    [DynamicDependency(DynamicallyAccessedMemberTypes.PublicConstructors, typeof(SecureKeyStorageXmlDecryptor))]
    public static IDataProtectionBuilder ProtectKeysWithSecureKeyStorage(this IDataProtectionBuilder builder, string keyName = Names.DefaultKekName)
    {
        ArgumentNullException.ThrowIfNull(builder);
        Names.ValidateKekName(keyName, nameof(keyName));
        builder.Services.AddSingleton<IConfigureOptions<KeyManagementOptions>>(
            services => new ConfigureKeyManagement(services, keyName, persist: false));
        builder.Services.AddSingleton<IPostConfigureOptions<KeyManagementOptions>>(services => new PostConfigureKeyManagement(services));
        return builder;
    }

    /// <summary>
    /// Keeps the Data Protection key ring inside the registered <see cref="SecureKeyStorage"/>: one entry per key
    /// element (named "dataprotection.xml." plus its friendly name), each written as one atomic commit of the key
    /// store and read back, with other processes' writes, after a refresh of the file.
    /// </summary>
    /// <param name="builder">The Data Protection builder.</param>
    /// <returns>The builder, for chaining.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is null.</exception>
    public static IDataProtectionBuilder PersistKeysToSecureKeyStorage(this IDataProtectionBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddSingleton<IConfigureOptions<KeyManagementOptions>>(
            services => new ConfigureKeyManagement(services, kekName: null, persist: true));
        return builder;
    }
}
