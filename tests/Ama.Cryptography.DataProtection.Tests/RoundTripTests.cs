using System.Security.Cryptography;
using System.Xml.Linq;
using Ama.Cryptography.DataProtection.Tests.Infrastructure;
using Ama.Cryptography.KeyManagement;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.WebUtilities;

namespace Ama.Cryptography.DataProtection.Tests;

public sealed class RoundTripTests
{
    private const string KekName = "dataprotection-kek";

    [Fact]
    public void A_payload_protected_by_one_provider_unprotects_in_another_provider_on_the_same_store()
    {
        using var dir = new TempDirectory();
        string store = dir.File("keys.amaks");
        byte[] storeKey = DataProtectionHost.CreateStore(store);

        string payload;
        using (var a = DataProtectionHost.Start(store, storeKey))
        {
            payload = a.Protector.Protect("the session of user 42");
        }

        using (var b = DataProtectionHost.Start(store, storeKey))
        {
            Assert.Equal("the session of user 42", b.Protector.Unprotect(payload));
            IReadOnlyList<string> names = b.Storage.ListKeys();
            Assert.Contains(KekName, names);
            Assert.Contains(names, n => n.StartsWith("dataprotection.xml.key-", StringComparison.Ordinal));
        }

        // Control: a provider on another store has no key for the payload.
        string otherStore = dir.File("other.amaks");
        byte[] otherKey = DataProtectionHost.CreateStore(otherStore);
        using var other = DataProtectionHost.Start(otherStore, otherKey);
        Assert.ThrowsAny<CryptographicException>(() => other.Protector.Unprotect(payload));
    }

    [Fact]
    public void After_the_KEK_is_rotated_old_and_new_keys_both_decrypt_and_name_their_KEK_version()
    {
        using var dir = new TempDirectory();
        string store = dir.File("keys.amaks");
        byte[] storeKey = DataProtectionHost.CreateStore(store);
        string oldPayload, newPayload;
        Guid oldKeyId, newKeyId;

        using (var host = DataProtectionHost.Start(store, storeKey))
        {
            oldPayload = host.Protector.Protect("before rotation");
            oldKeyId = KeyIdOf(oldPayload);

            Assert.Equal(2, host.Storage.Store(KekName, RandomNumberGenerator.GetBytes(32)));
            var now = DateTimeOffset.UtcNow;
            // Activating later than the first key makes it the default (the latest activation inside the clock skew wins).
            newKeyId = host.KeyManager.CreateNewKey(now.AddSeconds(1), now.AddDays(90)).KeyId;
        }

        // A new provider: a running one keeps its cached key ring until its background refresh.
        using (var host = DataProtectionHost.Start(store, storeKey))
        {
            newPayload = host.Protector.Protect("after rotation");
            Assert.Equal(newKeyId, KeyIdOf(newPayload));
            Assert.NotEqual(oldKeyId, newKeyId);
            Assert.Equal("before rotation", host.Protector.Unprotect(oldPayload));
            Assert.Equal("after rotation", host.Protector.Unprotect(newPayload));

            var elements = host.Repository.GetAllElements();
            Assert.Equal(("dataprotection-kek", "1"), KekOf(elements, oldKeyId));
            Assert.Equal(("dataprotection-kek", "2"), KekOf(elements, newKeyId));
        }

        using (var fresh = DataProtectionHost.Start(store, storeKey))
        {
            Assert.Equal("before rotation", fresh.Protector.Unprotect(oldPayload));
            Assert.Equal("after rotation", fresh.Protector.Unprotect(newPayload));

            // Control: without KEK version 1 the old key no longer decrypts, so version 1 was what decrypted it.
            Assert.True(fresh.Storage.DestroyVersion(KekName, 1));
        }

        using var withoutVersion1 = DataProtectionHost.Start(store, storeKey);
        Assert.ThrowsAny<CryptographicException>(() => withoutVersion1.Protector.Unprotect(oldPayload));
        Assert.Equal("after rotation", withoutVersion1.Protector.Unprotect(newPayload));
    }

    [Fact]
    public void Two_providers_on_separate_instances_of_one_store_creating_keys_at_once_all_see_every_key()
    {
        using var dir = new TempDirectory();
        string store = dir.File("keys.amaks");
        byte[] storeKey = DataProtectionHost.CreateStore(store);
        using var a = DataProtectionHost.Start(store, storeKey);
        using var b = DataProtectionHost.Start(store, storeKey);
        Assert.NotSame(a.Storage, b.Storage);
        const int KeysEach = 6;

        var created = new System.Collections.Concurrent.ConcurrentBag<Guid>();
        using var start = new Barrier(2);
        void CreateKeys(DataProtectionHost host)
        {
            start.SignalAndWait();
            for (int i = 0; i < KeysEach; i++)
            {
                var now = DateTimeOffset.UtcNow;
                created.Add(host.KeyManager.CreateNewKey(now, now.AddDays(90)).KeyId);
            }
        }

        Parallel.Invoke(() => CreateKeys(a), () => CreateKeys(b));

        Assert.Equal(2 * KeysEach, created.Count);
        foreach (var host in new[] { a, b })
        {
            IReadOnlyCollection<IKey> keys = host.KeyManager.GetAllKeys();
            Assert.Equal(created.Order(), keys.Select(k => k.KeyId).Order());
            // Each key's master key decrypts here, whichever process's KEK version sealed it.
            Assert.All(keys, k => Assert.NotNull(k.CreateEncryptor()));
        }

        using var fresh = DataProtectionHost.Start(store, storeKey);
        Assert.Equal(2 * KeysEach, fresh.KeyManager.GetAllKeys().Count);
    }

    [Fact]
    public void Keys_deleted_through_the_key_manager_leave_the_store_and_the_others_stay()
    {
        using var dir = new TempDirectory();
        string store = dir.File("keys.amaks");
        byte[] storeKey = DataProtectionHost.CreateStore(store);
        string payload;
        Guid deleted;
        using (var host = DataProtectionHost.Start(store, storeKey))
        {
            payload = host.Protector.Protect("kept");
            var now = DateTimeOffset.UtcNow;
            deleted = host.KeyManager.CreateNewKey(now.AddDays(1), now.AddDays(90)).KeyId;
            Assert.Equal(2, host.KeyManager.GetAllKeys().Count);

            var keyManager = Assert.IsType<XmlKeyManager>(host.KeyManager);
            Assert.True(keyManager.CanDeleteKeys);
            Assert.True(keyManager.DeleteKeys(k => k.KeyId == deleted));
        }

        using var fresh = DataProtectionHost.Start(store, storeKey);
        Assert.Equal([KeyIdOf(payload)], fresh.KeyManager.GetAllKeys().Select(k => k.KeyId));
        Assert.DoesNotContain(fresh.Storage.ListKeys(), n => n.Contains(deleted.ToString("D"), StringComparison.Ordinal));
        Assert.Equal("kept", fresh.Protector.Unprotect(payload));
    }

    /// <summary>The key id in a protected payload: after the 4-byte magic header, 16 bytes.</summary>
    internal static Guid KeyIdOf(string payload) => new(WebEncoders.Base64UrlDecode(payload).AsSpan(4, 16));

    /// <summary>The KEK name and version that the &lt;key&gt; element of <paramref name="keyId"/> names in its encrypted secret.</summary>
    internal static (string Name, string Version) KekOf(IEnumerable<XElement> elements, Guid keyId)
    {
        XElement key = elements.Single(e => e.Name.LocalName == "key" && (Guid)e.Attribute("id")! == keyId);
        XElement kek = key.Descendants(XName.Get("kek", "urn:ama:dataprotection:v1")).Single();
        return ((string)kek.Attribute("name")!, (string)kek.Attribute("version")!);
    }
}
