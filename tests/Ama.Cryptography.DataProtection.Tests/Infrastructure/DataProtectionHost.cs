using System.Security.Cryptography;
using Ama.Cryptography.KeyManagement;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.DataProtection.Repositories;
using Microsoft.AspNetCore.DataProtection.XmlEncryption;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Ama.Cryptography.DataProtection.Tests.Infrastructure;

/// <summary>A real Data Protection service provider over a key store file: what an app builds with AddDataProtection.</summary>
public sealed class DataProtectionHost : IDisposable
{
    public const string ApplicationName = "ama-dataprotection-tests";
    public const string Purpose = "Ama.Cryptography.DataProtection.Tests";

    private DataProtectionHost(ServiceProvider services) => Services = services;

    public ServiceProvider Services { get; }

    public SecureKeyStorage Storage => Services.GetRequiredService<SecureKeyStorage>();

    public IKeyManager KeyManager => Services.GetRequiredService<IKeyManager>();

    public KeyManagementOptions Options => Services.GetRequiredService<IOptions<KeyManagementOptions>>().Value;

    public IXmlRepository Repository => Options.XmlRepository ?? throw new InvalidOperationException("No XML repository is configured.");

    /// <summary>The repository under the wrapper that ProtectKeysWithSecureKeyStorage puts around it: what is stored, before keys are checked and bound.</summary>
    public IXmlRepository StoredRepository => Repository is SealedKeyRingRepository sealedRing ? sealedRing.Inner : Repository;

    public IDataProtector Protector => Services.GetDataProtector(Purpose);

    /// <summary>Creates a key store file with a random raw key and returns that key.</summary>
    public static byte[] CreateStore(string path)
    {
        byte[] key = RandomNumberGenerator.GetBytes(KeyStoreCredential.KeyLength);
        using var credential = KeyStoreCredential.FromKey(key);
        SecureKeyStorage.Create(path, credential).Dispose();
        return key;
    }

    /// <summary>Both extensions over the store at <paramref name="storePath"/>, opened (by DI, on first use) with <paramref name="storeKey"/>.</summary>
    public static DataProtectionHost Start(string storePath, byte[] storeKey, bool protect = true, bool persist = true, Action<IDataProtectionBuilder>? configure = null, LogSink? log = null)
    {
        var services = new ServiceCollection();
        if (log is not null)
        {
            services.AddLogging(b => b.AddProvider(log).SetMinimumLevel(LogLevel.Trace));
        }

        services.AddSingleton(_ =>
        {
            using var credential = KeyStoreCredential.FromKey(storeKey);
            return SecureKeyStorage.Open(storePath, credential);
        });
        IDataProtectionBuilder builder = services.AddDataProtection().SetApplicationName(ApplicationName);
        if (persist)
        {
            builder.PersistKeysToSecureKeyStorage();
        }

        if (protect)
        {
            builder.ProtectKeysWithSecureKeyStorage();
        }

        configure?.Invoke(builder);
        return new DataProtectionHost(services.BuildServiceProvider());
    }

    /// <summary>Plain Data Protection with keys in a directory and no XML encryptor: the default on Linux, used as the negative control.</summary>
    public static DataProtectionHost StartFileSystemOnly(string keyDirectory)
    {
        var services = new ServiceCollection();
        services.AddDataProtection().SetApplicationName(ApplicationName).PersistKeysToFileSystem(new DirectoryInfo(keyDirectory));
        return new DataProtectionHost(services.BuildServiceProvider());
    }

    public IXmlDecryptor Decryptor() => new SecureKeyStorageXmlDecryptor(Services);

    public void Dispose() => Services.Dispose();
}
