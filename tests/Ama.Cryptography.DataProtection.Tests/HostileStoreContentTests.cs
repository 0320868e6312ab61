using System.Security.Cryptography;
using System.Text;
using System.Xml;
using Ama.Cryptography.DataProtection.Tests.Infrastructure;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.DependencyInjection;

namespace Ama.Cryptography.DataProtection.Tests;

/// <summary>What others can put in a shared key store: entries that are not XML, a KEK of the wrong size, another application's key ring.</summary>
public sealed class HostileStoreContentTests
{
    private const string KekName = "dataprotection-kek";

    [Fact]
    public void Two_applications_with_different_names_share_one_store_but_not_each_other_s_payloads()
    {
        using var dir = new TempDirectory();
        string store = dir.File("keys.amaks");
        byte[] storeKey = DataProtectionHost.CreateStore(store);
        using var a = DataProtectionHost.Start(store, storeKey, configure: b => b.SetApplicationName("app-a"));
        using var b = DataProtectionHost.Start(store, storeKey, configure: b => b.SetApplicationName("app-b"));
        string fromA = a.Protector.Protect("a's secret");
        string fromB = b.Protector.Protect("b's secret");

        Assert.ThrowsAny<CryptographicException>(() => b.Protector.Unprotect(fromA));
        Assert.ThrowsAny<CryptographicException>(() => a.Protector.Unprotect(fromB));

        // Control: a third instance of app-a on the same store reads app-a's payload.
        using var a2 = DataProtectionHost.Start(store, storeKey, configure: b => b.SetApplicationName("app-a"));
        Assert.Equal("a's secret", a2.Protector.Unprotect(fromA));
    }

    [Fact]
    public void A_KEK_replaced_by_an_entry_of_the_wrong_length_stops_new_keys_with_a_message_naming_it()
    {
        using var dir = new TempDirectory();
        string store = dir.File("keys.amaks");
        byte[] storeKey = DataProtectionHost.CreateStore(store);
        using var host = DataProtectionHost.Start(store, storeKey);
        string payload = host.Protector.Protect("sealed under version 1");
        byte[] shortKek = RandomNumberGenerator.GetBytes(16);
        Assert.Equal(2, host.Storage.Store(KekName, shortKek));

        var now = DateTimeOffset.UtcNow;
        Exception e = Assert.ThrowsAny<CryptographicException>(() => host.KeyManager.CreateNewKey(now, now.AddDays(90)));
        Assert.Contains(KekName, e.Message, StringComparison.Ordinal);
        Assert.Contains("16 bytes", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Convert.ToBase64String(shortKek), e.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(Convert.ToHexString(shortKek), e.ToString(), StringComparison.OrdinalIgnoreCase);

        // Control: the old key, sealed under version 1, still decrypts in a fresh provider.
        using var fresh = DataProtectionHost.Start(store, storeKey);
        Assert.Equal("sealed under version 1", fresh.Protector.Unprotect(payload));
    }

    [Fact]
    public void The_decryptor_without_a_registered_store_fails_naming_the_missing_registration()
    {
        using var services = new ServiceCollection().BuildServiceProvider();
        var e = Assert.Throws<InvalidOperationException>(() => new SecureKeyStorageXmlDecryptor(services));
        Assert.Contains("SecureKeyStorage", e.Message, StringComparison.Ordinal);

        // Control: with a store registered it is created.
        using var dir = new TempDirectory();
        string store = dir.File("keys.amaks");
        byte[] storeKey = DataProtectionHost.CreateStore(store);
        using var host = DataProtectionHost.Start(store, storeKey);
        Assert.NotNull(host.Decryptor());
    }
}
