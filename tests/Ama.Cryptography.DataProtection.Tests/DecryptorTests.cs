using System.Security.Cryptography;
using System.Text;
using System.Xml.Linq;
using Ama.Cryptography.DataProtection.Tests.Infrastructure;
using Ama.Cryptography.KeyManagement;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.XmlEncryption;
using Microsoft.Extensions.DependencyInjection;

namespace Ama.Cryptography.DataProtection.Tests;

/// <summary>The encryptor and decryptor on their own, over a real key store file.</summary>
public sealed class DecryptorTests
{
    private const string KekName = "dataprotection-kek";
    private static readonly XNamespace Ns = "urn:ama:dataprotection:v1";
    private const string Secret = "c2VjcmV0LW1hc3Rlci1rZXktdmFsdWUtdGhhdC1tdXN0LW5vdC1sZWFr";

    public static TheoryData<string, string> Tampering => new()
    {
        { "ciphertext", "did not authenticate" },
        { "tag", "did not authenticate" },
        { "nonce", "did not authenticate" },
        { "version-missing", "version 7 is not in the key store" },
        { "version-other", "did not authenticate" },
        { "version-garbage", "version 'one'" },
        { "name-missing", "'another-kek' version 1 is not in the key store" },
        { "name-other", "did not authenticate" },
        { "name-invalid", "not a valid key store name" },
        { "nonce-short", "nonce of the encrypted Data Protection key is 11 bytes" },
        { "tag-base64", "tag of the encrypted Data Protection key is not valid base64" },
        { "tag-removed", "no valid <tag> element" },
        { "root-renamed", "is not an <encryptedKey> element" },
    };

    [Theory]
    [MemberData(nameof(Tampering))]
    public void A_tampered_encrypted_key_is_rejected_with_a_message_that_names_what_failed(string tampering, string expectedMessage)
    {
        using var dir = new TempDirectory();
        string store = dir.File("keys.amaks");
        byte[] storeKey = DataProtectionHost.CreateStore(store);
        using var host = DataProtectionHost.Start(store, storeKey);
        XElement plaintext = SecretElement();
        XElement encrypted = host.Options.XmlEncryptor!.Encrypt(plaintext).EncryptedElement;
        // Names the tampering can point at: a second KEK version and a second 32-byte key.
        host.Storage.Store(KekName, RandomNumberGenerator.GetBytes(32));
        host.Storage.Store("other-kek", RandomNumberGenerator.GetBytes(32));
        IXmlDecryptor decryptor = host.Decryptor();

        // Control: untouched, it decrypts to the element that was encrypted.
        Assert.Equal(plaintext.ToString(), decryptor.Decrypt(new XElement(encrypted)).ToString());

        XElement tampered = Tamper(new XElement(encrypted), tampering);
        var error = Assert.ThrowsAny<CryptographicException>(() => decryptor.Decrypt(tampered));
        Assert.Contains(expectedMessage, error.Message, StringComparison.Ordinal);
        AssertNoSecretIn(error, host.Storage);
    }

    [Fact]
    public void The_encrypted_element_has_the_documented_shape_and_no_plaintext()
    {
        using var dir = new TempDirectory();
        string store = dir.File("keys.amaks");
        byte[] storeKey = DataProtectionHost.CreateStore(store);
        using var host = DataProtectionHost.Start(store, storeKey);

        EncryptedXmlInfo info = host.Options.XmlEncryptor!.Encrypt(SecretElement());

        Assert.Equal(typeof(SecureKeyStorageXmlDecryptor), info.DecryptorType);
        XElement e = info.EncryptedElement;
        Assert.Equal(Ns + "encryptedKey", e.Name);
        Assert.Equal(["kek", "nonce", "ciphertext", "tag"], e.Elements().Select(c => c.Name.LocalName));
        Assert.Equal(KekName, (string?)e.Element(Ns + "kek")!.Attribute("name"));
        Assert.Equal("1", (string?)e.Element(Ns + "kek")!.Attribute("version"));
        Assert.Equal(12, Convert.FromBase64String(e.Element(Ns + "nonce")!.Value).Length);
        Assert.Equal(16, Convert.FromBase64String(e.Element(Ns + "tag")!.Value).Length);
        Assert.DoesNotContain(Secret, e.ToString(), StringComparison.Ordinal);
        // Control: the plaintext element does contain the secret, so the check above can fail.
        Assert.Contains(Secret, SecretElement().ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Two_instances_that_both_create_the_KEK_leave_two_versions_and_each_decrypts_the_other_s_payload()
    {
        using var dir = new TempDirectory();
        string store = dir.File("keys.amaks");
        byte[] storeKey = DataProtectionHost.CreateStore(store);
        using var credential = KeyStoreCredential.FromKey(storeKey);
        using var first = SecureKeyStorage.Open(store, credential);
        using var second = SecureKeyStorage.Open(store, credential);

        // The race: both found no KEK and both store one. The second instance has not read the first's write.
        (int v1, SecureBuffer k1) = KeyEncryptionKeys.Create(first, KekName);
        (int v2, SecureBuffer k2) = KeyEncryptionKeys.Create(second, KekName);
        XElement sealed1, sealed2;
        using (k1)
        using (k2)
        {
            Assert.Equal((1, 2), (v1, v2));
            sealed1 = SecureKeyStorageXmlEncryptor.Seal(k1, KekName, v1, SecretElement());
            sealed2 = SecureKeyStorageXmlEncryptor.Seal(k2, KekName, v2, SecretElement());
        }

        // The first instance has never seen version 2: it finds it by refreshing the file.
        var decryptFirst = new SecureKeyStorageXmlDecryptor(Provider(first));
        var decryptSecond = new SecureKeyStorageXmlDecryptor(Provider(second));
        foreach (var decryptor in new[] { decryptFirst, decryptSecond })
        {
            Assert.Equal(SecretElement().ToString(), decryptor.Decrypt(sealed1).ToString());
            Assert.Equal(SecretElement().ToString(), decryptor.Decrypt(sealed2).ToString());
        }

        // Control: the two payloads are bound to their versions; swapping the version fails.
        sealed1.Element(Ns + "kek")!.SetAttributeValue("version", "2");
        Assert.ThrowsAny<CryptographicException>(() => decryptFirst.Decrypt(sealed1));
    }

    [Fact]
    public void The_extensions_reject_a_bad_KEK_name_and_say_when_no_key_store_is_registered()
    {
        var builder = new ServiceCollection().AddDataProtection();
        Assert.Throws<ArgumentException>("keyName", () => builder.ProtectKeysWithSecureKeyStorage("has space"));
        Assert.Throws<ArgumentException>("keyName", () => builder.ProtectKeysWithSecureKeyStorage(new string('k', 129)));
        Assert.Throws<ArgumentException>("keyName", () => builder.ProtectKeysWithSecureKeyStorage("dataprotection.xml.kek"));
        Assert.Same(builder, builder.ProtectKeysWithSecureKeyStorage("custom-kek"));

        var services = new ServiceCollection();
        services.AddDataProtection().PersistKeysToSecureKeyStorage().ProtectKeysWithSecureKeyStorage();
        using var provider = services.BuildServiceProvider();
        var error = Assert.Throws<InvalidOperationException>(() => provider.GetDataProtector("p").Protect("x"));
        Assert.Contains("No SecureKeyStorage is registered", error.Message, StringComparison.Ordinal);
        Assert.Throws<InvalidOperationException>(() => new SecureKeyStorageXmlDecryptor(provider));
    }

    private static ServiceProvider Provider(SecureKeyStorage storage) =>
        new ServiceCollection().AddSingleton(storage).BuildServiceProvider();

    private static XElement SecretElement() =>
        new("masterKey", new XComment(" test "), new XElement("value", Secret));

    private static XElement Tamper(XElement e, string tampering)
    {
        XElement kek = e.Element(Ns + "kek")!;
        switch (tampering)
        {
            case "ciphertext": FlipBit(e.Element(Ns + "ciphertext")!); break;
            case "tag": FlipBit(e.Element(Ns + "tag")!); break;
            case "nonce": FlipBit(e.Element(Ns + "nonce")!); break;
            case "version-missing": kek.SetAttributeValue("version", "7"); break;
            case "version-other": kek.SetAttributeValue("version", "2"); break;
            case "version-garbage": kek.SetAttributeValue("version", "one"); break;
            case "name-missing": kek.SetAttributeValue("name", "another-kek"); break;
            case "name-other": kek.SetAttributeValue("name", "other-kek"); break;
            case "name-invalid": kek.SetAttributeValue("name", "../etc/passwd"); break;
            case "nonce-short": e.Element(Ns + "nonce")!.Value = Convert.ToBase64String(new byte[11]); break;
            case "tag-base64": e.Element(Ns + "tag")!.Value = "not base64!"; break;
            case "tag-removed": e.Element(Ns + "tag")!.Remove(); break;
            case "root-renamed": e.Name = Ns + "somethingElse"; break;
            default: throw new ArgumentOutOfRangeException(nameof(tampering), tampering, null);
        }

        return e;
    }

    private static void FlipBit(XElement element)
    {
        byte[] bytes = Convert.FromBase64String(element.Value);
        bytes[0] ^= 1;
        element.Value = Convert.ToBase64String(bytes);
    }

    private static void AssertNoSecretIn(Exception error, SecureKeyStorage storage)
    {
        string text = error.ToString();
        Assert.DoesNotContain(Secret, text, StringComparison.Ordinal);
        foreach (KeyVersionInfo version in storage.ListVersions(KekName))
        {
            using SecureBuffer kek = storage.Retrieve(KekName, version.Version);
            Assert.DoesNotContain(Convert.ToBase64String(kek.Span), text, StringComparison.Ordinal);
            Assert.DoesNotContain(Convert.ToHexString(kek.Span), text, StringComparison.OrdinalIgnoreCase);
        }

        Assert.DoesNotContain(Encoding.UTF8.GetString(Convert.FromBase64String(Secret)), text, StringComparison.Ordinal);
    }
}
