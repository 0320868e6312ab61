using System.Security.Cryptography;
using System.Xml.Linq;
using Ama.Cryptography.KeyManagement;
using Microsoft.AspNetCore.DataProtection.XmlEncryption;

namespace Ama.Cryptography.DataProtection;

/// <summary>Encrypts Data Protection key XML under the primary version of the key-encryption key, creating it on first use.</summary>
internal sealed class SecureKeyStorageXmlEncryptor(SecureKeyStorage storage, string keyName) : IXmlEncryptor
{
    private readonly Lock gate = new();

    public EncryptedXmlInfo Encrypt(XElement plaintextElement)
    {
        ArgumentNullException.ThrowIfNull(plaintextElement);
        (int version, SecureBuffer kek) = GetPrimaryKek();
        using (kek)
        {
            return new EncryptedXmlInfo(Seal(kek, keyName, version, plaintextElement), typeof(SecureKeyStorageXmlDecryptor));
        }
    }

    /// <summary>Seals <paramref name="plaintextElement"/> under one KEK version; internal so tests can seal with a version of their choice.</summary>
    internal static XElement Seal(SecureBuffer kek, string keyName, int version, XElement plaintextElement)
    {
        using SecureBuffer plaintext = XmlBytes.Serialize(plaintextElement);
        return Seal(kek, keyName, version, plaintext, binding: null);
    }

    /// <summary>Seals UTF-8 key XML; with a <paramref name="binding"/>, in format 2, bound to the key element it describes.</summary>
    internal static XElement Seal(SecureBuffer kek, string keyName, int version, SecureBuffer plaintext, string? binding)
    {
        using var aes = new SecureAesGcm(kek);
        var sealedKey = new EncryptedKeyXml
        {
            Kek = keyName,
            Version = version,
            Nonce = RandomNumberGenerator.GetBytes(EncryptedKeyXml.NonceLength),
            Ciphertext = new byte[plaintext.Length],
            Tag = new byte[EncryptedKeyXml.TagLength],
            Format = binding is null ? EncryptedKeyXml.UnboundFormat : EncryptedKeyXml.BoundFormat,
            Binding = binding,
        };
        aes.Encrypt(sealedKey.Nonce, plaintext.Span, sealedKey.Ciphertext, sealedKey.Tag, sealedKey.AssociatedData());
        return sealedKey.ToXml();
    }

    private (int Version, SecureBuffer Key) GetPrimaryKek()
    {
        // One creation per instance; other instances and processes may race, which leaves two valid versions.
        lock (gate)
        {
            return KeyEncryptionKeys.GetOrCreatePrimary(storage, keyName);
        }
    }
}
