using System.Security.Cryptography;
using System.Xml;
using System.Xml.Linq;
using Ama.Cryptography.KeyManagement;
using Microsoft.AspNetCore.DataProtection.XmlEncryption;
using Microsoft.Extensions.DependencyInjection;

namespace Ama.Cryptography.DataProtection;

/// <summary>
/// Decrypts Data Protection key XML sealed by <c>ProtectKeysWithSecureKeyStorage</c>: it reads the
/// key-encryption key name and version from the element, retrieves that version from the
/// <see cref="SecureKeyStorage"/> registered in the service provider, and opens the AES-256-GCM
/// seal with <see cref="SecureAesGcm"/>. Old keys keep decrypting after the KEK is rotated, as long
/// as the old KEK version is in the store.
/// </summary>
/// <remarks>Data Protection creates this type by name, with the application's service provider, whenever it reads an encrypted key.</remarks>
public sealed class SecureKeyStorageXmlDecryptor : IXmlDecryptor
{
    private readonly SecureKeyStorage storage;

    /// <summary>Creates the decryptor over the <see cref="SecureKeyStorage"/> registered in <paramref name="services"/>.</summary>
    /// <param name="services">The application's service provider.</param>
    /// <exception cref="ArgumentNullException"><paramref name="services"/> is null.</exception>
    /// <exception cref="InvalidOperationException">No <see cref="SecureKeyStorage"/> is registered.</exception>
    public SecureKeyStorageXmlDecryptor(IServiceProvider services)
    {
        ArgumentNullException.ThrowIfNull(services);
        storage = services.GetService<SecureKeyStorage>() ?? throw Error.KeyStorageNotRegistered();
    }

    /// <summary>Decrypts an &lt;encryptedKey&gt; element back to the key XML it sealed.</summary>
    /// <param name="encryptedElement">The element that the encryptor wrote.</param>
    /// <returns>The key XML.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="encryptedElement"/> is null.</exception>
    /// <exception cref="CryptographicException">The element is malformed, names a KEK version the store lacks, is bound (format 2) but was not read through the key ring wrapper that gives its binding, or does not authenticate (for format 2 also: was moved from another key element); the message says which.</exception>
    /// <exception cref="KeyStoreDamagedException">The KEK entry in the store does not decrypt.</exception>
    public XElement Decrypt(XElement encryptedElement)
    {
        var sealedKey = EncryptedKeyXml.Parse(encryptedElement);
        using SecureBuffer kek = KeyEncryptionKeys.Get(storage, sealedKey.Kek, sealedKey.Version);
        using SecureBuffer plaintext = Open(kek, sealedKey);
        try
        {
            return XmlBytes.Parse(plaintext);
        }
        catch (XmlException e)
        {
            throw Error.DecryptedNotXml(e);
        }
    }

    /// <summary>Opens the seal; the repository wrapper uses it too, to seal a new key again bound to its key element.</summary>
    internal static SecureBuffer Open(SecureBuffer kek, EncryptedKeyXml sealedKey)
    {
        using var aes = new SecureAesGcm(kek);
        try
        {
            return aes.DecryptToSecureBuffer(
                sealedKey.Nonce,
                sealedKey.Ciphertext,
                sealedKey.Tag,
                sealedKey.AssociatedData());
        }
        catch (AuthenticationTagMismatchException e)
        {
            throw sealedKey.Format == EncryptedKeyXml.UnboundFormat
                ? Error.AuthenticationFailed(sealedKey.Kek, sealedKey.Version, e)
                : Error.BoundAuthenticationFailed(sealedKey.Kek, sealedKey.Version, e);
        }
    }
}
