using System.Security.Cryptography;
using System.Xml.Linq;
using Ama.Cryptography.DataProtection.Tests.Infrastructure;
using Ama.Cryptography.KeyManagement;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.DataProtection.XmlEncryption;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Ama.Cryptography.DataProtection.Tests;

/// <summary>
/// Issue 23, findings 1 and 2: with ProtectKeysWithSecureKeyStorage, a key whose master key it did not seal
/// is refused whatever the repository, and a sealed master key moved to another key element does not decrypt.
/// </summary>
public sealed class KeyIntegrityTests
{
    private static readonly XName EncryptedSecret = XName.Get("encryptedSecret", "http://schemas.asp.net/2015/03/dataProtection");

    /// <summary>
    /// An attacker who can write the key folder, but holds no store credential, makes a key with plain
    /// Data Protection and drops its file in. It must not become the default, nor be accepted for unprotect.
    /// </summary>
    [Fact]
    public void A_planted_plaintext_key_in_a_file_system_ring_is_refused_with_a_Warning_naming_it()
    {
        using var dir = new TempDirectory();
        string store = dir.File("keys.amaks");
        byte[] storeKey = DataProtectionHost.CreateStore(store);
        string xmlDir = dir.Sub("xml");
        Guid appKey;
        using (var app = StartOnFileSystem(store, storeKey, xmlDir))
        {
            appKey = KeyIdOf(app.Protector.Protect("made by the app"u8.ToArray()));
        }

        // The attacker's own Data Protection, same application name, no encryptor: its key file holds a plain <masterKey>.
        using var attacker = DataProtectionHost.StartFileSystemOnly(dir.Sub("attacker"));
        byte[] forged = attacker.Protector.Protect("admin"u8.ToArray());
        Guid forgedKey = KeyIdOf(forged);
        string forgedFile = Assert.Single(Directory.GetFiles(dir.Path + "/attacker", "key-*.xml"));
        Assert.Contains("<masterKey", File.ReadAllText(forgedFile), StringComparison.Ordinal);
        File.Copy(forgedFile, Path.Combine(xmlDir, Path.GetFileName(forgedFile)));

        var log = new LogSink();
        using var restarted = StartOnFileSystem(store, storeKey, xmlDir, log);
        byte[] fresh = restarted.Protector.Protect("new data"u8.ToArray());
        Assert.Equal(appKey, KeyIdOf(fresh));
        Assert.ThrowsAny<CryptographicException>(() => attacker.Protector.Unprotect(fresh));
        Assert.ThrowsAny<CryptographicException>(() => restarted.Protector.Unprotect(forged));
        Assert.DoesNotContain(restarted.KeyManager.GetAllKeys(), k => k.KeyId == forgedKey);

        string warning = Assert.Single(log.At(LogLevel.Warning).Where(m => m.Contains("is refused", StringComparison.Ordinal)).Distinct());
        Assert.Contains(forgedKey.ToString("D"), warning, StringComparison.Ordinal);
        Assert.Contains("plaintext", warning, StringComparison.Ordinal);

        // The refusal names the key, never its master key (base64 in the planted file).
        string plantedMasterKey = XDocument.Load(forgedFile).Descendants("masterKey").Single().Element("value")!.Value;
        Assert.True(plantedMasterKey.Length >= 64);
        Assert.DoesNotContain(log.Entries, e => e.Message.Contains(plantedMasterKey, StringComparison.Ordinal));
    }

    /// <summary>An outsider on a file-system ring gives key 2 the sealed secret of key 1: key 2 must not decrypt, and new data must not go out under key 2.</summary>
    [Fact]
    public void A_sealed_secret_moved_to_another_key_file_does_not_decrypt()
    {
        using var dir = new TempDirectory();
        string store = dir.File("keys.amaks");
        byte[] storeKey = DataProtectionHost.CreateStore(store);
        string xmlDir = dir.Sub("xml");
        Guid key1;
        Guid key2;
        byte[] underKey1;
        using (var app = StartOnFileSystem(store, storeKey, xmlDir))
        {
            underKey1 = app.Protector.Protect("under key 1"u8.ToArray());
            key1 = KeyIdOf(underKey1);
            key2 = app.KeyManager.CreateNewKey(DateTimeOffset.UtcNow, DateTimeOffset.UtcNow.AddDays(90)).KeyId;
        }

        string file1 = Path.Combine(xmlDir, $"key-{key1:D}.xml");
        string file2 = Path.Combine(xmlDir, $"key-{key2:D}.xml");
        XDocument doc1 = XDocument.Load(file1);
        XDocument doc2 = XDocument.Load(file2);
        doc2.Descendants(EncryptedSecret).Single().ReplaceWith(new XElement(doc1.Descendants(EncryptedSecret).Single()));
        doc2.Save(file2);

        using var restarted = StartOnFileSystem(store, storeKey, xmlDir);
        IKey swapped = Assert.Single(restarted.KeyManager.GetAllKeys(), k => k.KeyId == key2);
        var e = Assert.ThrowsAny<CryptographicException>(() => swapped.CreateEncryptor());
        Assert.Contains("moved from another key element", e.Message, StringComparison.Ordinal);

        // Key 1 is untouched, and new data goes out under a key that decrypts (Data Protection makes a new one
        // when the default fails), not under key 2 with key 1's master key.
        Assert.Equal("under key 1"u8.ToArray(), restarted.Protector.Unprotect(underKey1));
        byte[] fresh = restarted.Protector.Protect("new"u8.ToArray());
        Assert.NotEqual(key2, KeyIdOf(fresh));
        Assert.Equal("new"u8.ToArray(), restarted.Protector.Unprotect(fresh));
    }

    /// <summary>An insider with the store credential swaps the sealed secrets of keys A and B in the store: neither decrypts.</summary>
    [Fact]
    public void Sealed_secrets_swapped_between_two_key_entries_do_not_decrypt()
    {
        using var dir = new TempDirectory();
        string store = dir.File("keys.amaks");
        byte[] storeKey = DataProtectionHost.CreateStore(store);
        Guid a;
        Guid b;
        using (var host = DataProtectionHost.Start(store, storeKey))
        {
            a = KeyIdOf(host.Protector.Protect("a"u8.ToArray()));
            b = host.KeyManager.CreateNewKey(DateTimeOffset.UtcNow, DateTimeOffset.UtcNow.AddDays(90)).KeyId;
            string entryA = $"dataprotection.xml.key-{a:D}";
            string entryB = $"dataprotection.xml.key-{b:D}";
            XElement elementA = Read(host.Storage, entryA);
            XElement elementB = Read(host.Storage, entryB);
            XElement secretA = elementA.Descendants(EncryptedSecret).Single();
            XElement secretB = elementB.Descendants(EncryptedSecret).Single();
            secretA.ReplaceWith(new XElement(secretB));
            secretB.ReplaceWith(new XElement(secretA));
            using (KeyStoreBatch batch = host.Storage.BeginBatch())
            {
                batch.Delete(entryA);
                batch.Delete(entryB);
                batch.Commit();
            }

            host.Storage.Store(entryA, System.Text.Encoding.UTF8.GetBytes(elementA.ToString(SaveOptions.DisableFormatting)));
            host.Storage.Store(entryB, System.Text.Encoding.UTF8.GetBytes(elementB.ToString(SaveOptions.DisableFormatting)));
        }

        using var restarted = DataProtectionHost.Start(store, storeKey);
        IReadOnlyCollection<IKey> keys = restarted.KeyManager.GetAllKeys();
        foreach (Guid id in new[] { a, b })
        {
            IKey key = Assert.Single(keys, k => k.KeyId == id);
            var e = Assert.ThrowsAny<CryptographicException>(() => key.CreateEncryptor());
            Assert.Contains("moved from another key element", e.Message, StringComparison.Ordinal);
        }
    }

    /// <summary>A key sealed by the format-1 code (before keys were bound to their element) still reads, through the wrapper.</summary>
    [Fact]
    public void A_key_sealed_in_format_1_by_the_earlier_code_still_unprotects_its_payload()
    {
        using var dir = new TempDirectory();
        string store = dir.File("keys.amaks");
        string fixtures = Path.Combine(AppContext.BaseDirectory, "Fixtures");
        File.Copy(Path.Combine(fixtures, "format1.amaks"), store);
        byte[] storeKey = Convert.FromBase64String(File.ReadAllText(Path.Combine(fixtures, "format1.storekey.txt")));
        string payload = File.ReadAllText(Path.Combine(fixtures, "format1.payload.txt"));

        using var host = DataProtectionHost.Start(store, storeKey);
        XElement stored = Assert.Single(host.StoredRepository.GetAllElements());
        Assert.Null(stored.Descendants(XName.Get("encryptedKey", "urn:ama:dataprotection:v1")).Single().Attribute("format"));
        Assert.Equal("sealed by format 1", host.Protector.Unprotect(payload));
    }

    /// <summary>New keys are written bound (format 2); the binding itself is never stored, only supplied when the ring is read.</summary>
    [Fact]
    public void A_new_key_is_stored_in_format_2_without_its_binding()
    {
        using var dir = new TempDirectory();
        string store = dir.File("keys.amaks");
        byte[] storeKey = DataProtectionHost.CreateStore(store);
        using var host = DataProtectionHost.Start(store, storeKey);
        host.Protector.Protect("x");
        XElement sealedKey = Assert.Single(host.StoredRepository.GetAllElements()).Descendants(XName.Get("encryptedKey", "urn:ama:dataprotection:v1")).Single();
        Assert.Equal("2", (string?)sealedKey.Attribute("format"));
        Assert.Null(sealedKey.Attribute("binding"));

        // Given straight to the decryptor, without the binding the wrapper adds, a format-2 seal does not open.
        var e = Assert.ThrowsAny<CryptographicException>(() => host.Decryptor().Decrypt(sealedKey));
        Assert.Contains("no binding was given", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ProtectKeysWithSecureKeyStorage_without_a_repository_fails_at_the_first_use_naming_what_to_configure()
    {
        using var dir = new TempDirectory();
        string store = dir.File("keys.amaks");
        byte[] storeKey = DataProtectionHost.CreateStore(store);
        using var host = DataProtectionHost.Start(store, storeKey, persist: false);
        var e = Assert.Throws<InvalidOperationException>(() => host.Protector.Protect("x"));
        Assert.Contains("ProtectKeysWithSecureKeyStorage needs a key repository configured explicitly", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ProtectKeysWithSecureKeyStorage_replaced_by_another_encryptor_fails_at_the_first_use_naming_it()
    {
        using var dir = new TempDirectory();
        string store = dir.File("keys.amaks");
        byte[] storeKey = DataProtectionHost.CreateStore(store);
        using var host = DataProtectionHost.Start(store, storeKey, configure: b => b.Services.Configure<KeyManagementOptions>(o => o.XmlEncryptor = new NullXmlEncryptor()));
        var e = Assert.Throws<InvalidOperationException>(() => host.Protector.Protect("x"));
        Assert.Contains(typeof(NullXmlEncryptor).FullName!, e.Message, StringComparison.Ordinal);
    }

    private static DataProtectionHost StartOnFileSystem(string store, byte[] storeKey, string xmlDir, LogSink? log = null) =>
        DataProtectionHost.Start(store, storeKey, persist: false, configure: b => b.PersistKeysToFileSystem(new DirectoryInfo(xmlDir)), log: log);

    /// <summary>The key id in a Data Protection payload: after the 4-byte magic header.</summary>
    private static Guid KeyIdOf(byte[] payload) => new(payload.AsSpan(4, 16));

    private static XElement Read(SecureKeyStorage storage, string name)
    {
        using SecureBuffer xml = storage.Retrieve(name);
        return XElement.Parse(System.Text.Encoding.UTF8.GetString(xml.Span));
    }
}
