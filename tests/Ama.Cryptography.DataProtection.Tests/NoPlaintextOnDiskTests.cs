using Ama.Cryptography.DataProtection.Tests.Infrastructure;
using Microsoft.AspNetCore.DataProtection;

namespace Ama.Cryptography.DataProtection.Tests;

/// <summary>
/// Searches every file the key ring touches for each Data Protection master key, as raw bytes,
/// base64 (UTF-8 and UTF-16) and hex in both cases. The control, plain PersistKeysToFileSystem
/// without an XML encryptor, shows that the same search finds a key that is on disk.
/// </summary>
public sealed class NoPlaintextOnDiskTests
{
    [Fact]
    public void Master_keys_are_nowhere_on_disk_with_both_extensions_and_are_found_by_the_same_scan_with_plain_file_system_keys()
    {
        using var dir = new TempDirectory();
        string storeDir = dir.Sub("store");
        string store = Path.Combine(storeDir, "keys.amaks");
        byte[] storeKey = DataProtectionHost.CreateStore(store);
        List<byte[]> masterKeys;
        using (var host = DataProtectionHost.Start(store, storeKey))
        {
            UseAndAddASecondKey(host);
            masterKeys = MasterKeys.FromKeyElements(host.Repository.GetAllElements(), host.Decryptor());
        }

        AssertMeaningful(masterKeys, storeDir);
        Assert.Empty(MasterKeys.Scan(storeDir, masterKeys));

        // Control: Data Protection's own file system repository with no encryptor writes the master key in the clear.
        string plainDir = dir.Sub("plain");
        List<byte[]> plainKeys;
        using (var plain = DataProtectionHost.StartFileSystemOnly(plainDir))
        {
            UseAndAddASecondKey(plain);
            plainKeys = MasterKeys.FromKeyElements(plain.Repository.GetAllElements(), decryptor: null);
        }

        AssertMeaningful(plainKeys, plainDir);
        List<string> hits = MasterKeys.Scan(plainDir, plainKeys);
        Assert.Equal(plainKeys.Count, hits.Count(h => h.EndsWith(": base64", StringComparison.Ordinal)));
    }

    [Fact]
    public void With_only_PersistKeysToSecureKeyStorage_the_key_store_seals_the_master_keys()
    {
        using var dir = new TempDirectory();
        string store = dir.File("keys.amaks");
        byte[] storeKey = DataProtectionHost.CreateStore(store);
        List<byte[]> masterKeys;
        using (var host = DataProtectionHost.Start(store, storeKey, protect: false))
        {
            UseAndAddASecondKey(host);
            var elements = host.Repository.GetAllElements();
            // Without an encryptor the key XML holds the master key in the clear; only the store's own sealing protects it.
            masterKeys = MasterKeys.FromKeyElements(elements, decryptor: null);
        }

        AssertMeaningful(masterKeys, dir.Path);
        Assert.Empty(MasterKeys.Scan(dir.Path, masterKeys));
    }

    [Fact]
    public void With_ProtectKeysWithSecureKeyStorage_and_file_system_persistence_the_key_files_hold_no_master_key()
    {
        using var dir = new TempDirectory();
        string store = dir.File("keys.amaks");
        byte[] storeKey = DataProtectionHost.CreateStore(store);
        string xmlDir = dir.Sub("xml");
        List<byte[]> masterKeys;
        using (var host = DataProtectionHost.Start(store, storeKey, persist: false, configure: b => b.PersistKeysToFileSystem(new DirectoryInfo(xmlDir))))
        {
            UseAndAddASecondKey(host);
            masterKeys = MasterKeys.FromKeyElements(host.Repository.GetAllElements(), host.Decryptor());
        }

        string[] xmlFiles = Directory.GetFiles(xmlDir, "*.xml");
        Assert.Equal(2, xmlFiles.Length);
        Assert.All(xmlFiles, f => Assert.Contains("urn:ama:dataprotection:v1", File.ReadAllText(f), StringComparison.Ordinal));
        AssertMeaningful(masterKeys, xmlDir);
        Assert.Empty(MasterKeys.Scan(dir.Path, masterKeys));
    }

    private static void UseAndAddASecondKey(DataProtectionHost host)
    {
        string payload = host.Protector.Protect("payload");
        Assert.Equal("payload", host.Protector.Unprotect(payload));
        var now = DateTimeOffset.UtcNow;
        host.KeyManager.CreateNewKey(now.AddDays(1), now.AddDays(90));
    }

    /// <summary>A scan proves something only if there are keys to look for and files to look in.</summary>
    private static void AssertMeaningful(List<byte[]> masterKeys, string directory)
    {
        Assert.Equal(2, masterKeys.Count);
        Assert.All(masterKeys, k => Assert.Equal(64, k.Length));
        Assert.NotEmpty(Directory.GetFiles(directory, "*", SearchOption.AllDirectories));
    }
}
