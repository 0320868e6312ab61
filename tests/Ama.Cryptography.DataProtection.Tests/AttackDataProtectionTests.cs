using System.Diagnostics;
using System.Security.Cryptography;
using System.Xml.Linq;
using Ama.Cryptography.DataProtection.Tests.Infrastructure;
using Ama.Cryptography.KeyManagement;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.XmlEncryption;

namespace Ama.Cryptography.DataProtection.Tests;

/// <summary>An outsider against the key ring: sealed keys with parts of impossible sizes, and a ring that changes while it is read.</summary>
public sealed class AttackDataProtectionTests
{
    private static readonly XNamespace Ns = "urn:ama:dataprotection:v1";

    [Theory]
    [InlineData("")]
    [InlineData("AA==")]
    public void An_encrypted_key_with_an_empty_or_tiny_ciphertext_is_a_CryptographicException(string ciphertext)
    {
        using var dir = new TempDirectory();
        string store = dir.File("keys.amaks");
        byte[] storeKey = DataProtectionHost.CreateStore(store);
        using var host = DataProtectionHost.Start(store, storeKey);
        XElement encrypted = host.Options.XmlEncryptor!.Encrypt(new XElement("masterKey", new XElement("value", "c2VjcmV0"))).EncryptedElement;
        IXmlDecryptor decryptor = host.Decryptor();

        // Control: the element as written decrypts.
        Assert.Equal("masterKey", decryptor.Decrypt(new XElement(encrypted)).Name.LocalName);

        encrypted.Element(Ns + "ciphertext")!.Value = ciphertext;
        var error = Assert.ThrowsAny<CryptographicException>(() => decryptor.Decrypt(encrypted));
        Assert.Contains("did not authenticate", error.Message, StringComparison.Ordinal);
    }

    /// <summary>
    /// The hosting package's file watcher (and the PostgreSQL store's listener) refresh the storage at
    /// any moment, so the key ring can change between listing the entries and reading them: an entry
    /// deleted by another instance meanwhile must be left out, not fail the whole read of the ring.
    /// </summary>
    [Fact]
    public void The_key_ring_read_while_another_instance_deletes_entries_and_a_watcher_refreshes_never_fails()
    {
        using var dir = new TempDirectory();
        string store = dir.File("keys.amaks");
        byte[] storeKey = DataProtectionHost.CreateStore(store);
        using var host = DataProtectionHost.Start(store, storeKey);
        const int Steady = 200;
        using (var credential = KeyStoreCredential.FromKey(storeKey))
        using (var seed = SecureKeyStorage.Open(store, credential))
        using (KeyStoreBatch batch = seed.BeginBatch())
        {
            for (int i = 0; i < Steady; i++)
            {
                batch.Store($"dataprotection.xml.key-steady-{i:D3}", "<key id=\"steady\" />"u8);
            }

            batch.Commit();
        }

        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(4));
        Thread churn = new(() =>
        {
            using var credential = KeyStoreCredential.FromKey(storeKey);
            using var other = SecureKeyStorage.Open(store, credential);
            int n = 0;
            while (!stop.IsCancellationRequested)
            {
                string name = $"dataprotection.xml.key-zz-churn-{n++ % 4}";
                other.Store(name, "<key id=\"churn\" />"u8);
                other.Delete(name);
            }
        });
        Thread watcher = new(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                host.Storage.Refresh();
            }
        });
        churn.Start();
        watcher.Start();
        var failures = new List<Exception>();
        int reads = 0;
        var clock = Stopwatch.StartNew();
        while (!stop.IsCancellationRequested)
        {
            try
            {
                Assert.True(host.StoredRepository.GetAllElements().Count >= Steady);
                reads++;
            }
            catch (KeyNotFoundException e)
            {
                failures.Add(e);
            }
        }

        churn.Join();
        watcher.Join();
        Assert.True(reads > 0, "The key ring was never read.");
        Assert.True(failures.Count == 0, $"{failures.Count} of {failures.Count + reads} reads of the key ring failed in {clock.Elapsed.TotalSeconds:F1} s: {failures.FirstOrDefault()?.Message}");

        // Control: afterwards the ring holds exactly the steady entries (every churned one was deleted).
        host.Storage.Refresh();
        Assert.Equal(Steady, host.StoredRepository.GetAllElements().Count);
    }

    /// <summary>Two instances deleting the same key at once (each chose it from its own read of the ring) both succeed, and the key is gone.</summary>
    [Fact]
    public void Two_instances_deleting_the_same_key_ring_element_at_once_both_succeed()
    {
        using var dir = new TempDirectory();
        string store = dir.File("keys.amaks");
        byte[] storeKey = DataProtectionHost.CreateStore(store);
        using var a = DataProtectionHost.Start(store, storeKey);
        using var b = DataProtectionHost.Start(store, storeKey);
        a.Protector.Protect("make a key"u8.ToArray());
        var deletableA = Assert.IsAssignableFrom<Microsoft.AspNetCore.DataProtection.Repositories.IDeletableXmlRepository>(a.Repository);
        var deletableB = Assert.IsAssignableFrom<Microsoft.AspNetCore.DataProtection.Repositories.IDeletableXmlRepository>(b.Repository);
        int before = a.Repository.GetAllElements().Count;
        Assert.True(before >= 1);

        bool deletedByB = deletableB.DeleteElements(candidatesB =>
        {
            // While B holds its choice, A deletes the same elements and commits first.
            Assert.True(deletableA.DeleteElements(candidatesA =>
            {
                foreach (var element in candidatesA)
                {
                    element.DeletionOrder = 1;
                }
            }));
            foreach (var element in candidatesB)
            {
                element.DeletionOrder = 1;
            }
        });

        Assert.True(deletedByB);
        Assert.Empty(a.Repository.GetAllElements());
        Assert.Empty(b.Repository.GetAllElements());
    }

    /// <summary>A key revoked by one instance is refused by every instance on the store, and the ring goes on with a new key.</summary>
    [Fact]
    public void A_key_revoked_by_one_instance_is_refused_by_another_and_new_payloads_still_work()
    {
        using var dir = new TempDirectory();
        string store = dir.File("keys.amaks");
        byte[] storeKey = DataProtectionHost.CreateStore(store);
        string payload;
        using (var a = DataProtectionHost.Start(store, storeKey))
        {
            payload = a.Protector.Protect("before revocation");
            a.KeyManager.RevokeAllKeys(DateTimeOffset.UtcNow, reason: "attack test");
            Assert.Contains(a.Storage.ListKeys(), n => n.StartsWith("dataprotection.xml.revocation-", StringComparison.Ordinal));
        }

        using var b = DataProtectionHost.Start(store, storeKey);
        Assert.ThrowsAny<CryptographicException>(() => b.Protector.Unprotect(payload));

        // Control: the ring still works for new payloads, under a key created after the revocation.
        string fresh = b.Protector.Protect("after revocation");
        Assert.Equal("after revocation", b.Protector.Unprotect(fresh));
        using var c = DataProtectionHost.Start(store, storeKey);
        Assert.Equal("after revocation", c.Protector.Unprotect(fresh));
    }

    /// <summary>
    /// A store that cannot be opened at the first protect (a database briefly down, a volume not yet
    /// mounted) must not leave Data Protection broken for the life of the process: once the store
    /// opens, the next call works without a restart.
    /// </summary>
    [Fact]
    public void A_store_that_fails_to_open_at_the_first_protect_is_used_once_it_opens()
    {
        using var dir = new TempDirectory();
        string store = dir.File("keys.amaks");
        byte[] storeKey = RandomNumberGenerator.GetBytes(KeyStoreCredential.KeyLength);
        using var host = DataProtectionHost.Start(store, storeKey);

        Assert.ThrowsAny<Exception>(() => host.Protector.Protect("while the store is missing"));

        using (var credential = KeyStoreCredential.FromKey(storeKey))
        {
            SecureKeyStorage.Create(store, credential).Dispose();
        }

        string payload = host.Protector.Protect("once the store is there");
        Assert.Equal("once the store is there", host.Protector.Unprotect(payload));
        Assert.Contains(host.Storage.ListKeys(), n => n.StartsWith("dataprotection.xml.", StringComparison.Ordinal));
    }
}
