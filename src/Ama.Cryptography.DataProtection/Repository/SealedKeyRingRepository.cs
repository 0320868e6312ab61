using System.Xml.Linq;
using Ama.Cryptography.KeyManagement;
using Microsoft.AspNetCore.DataProtection.Repositories;
using Microsoft.Extensions.Logging;

namespace Ama.Cryptography.DataProtection;

/// <summary>
/// Wraps the configured key repository, whatever it is, when <c>ProtectKeysWithSecureKeyStorage</c> is used:
/// <list type="bullet">
/// <item>it stores each new key with its master key sealed again in format 2, bound to the key element
/// (<see cref="KeyBinding"/>); Data Protection gives the encryptor the &lt;masterKey&gt; alone, so this is the
/// first place that sees the key id;</item>
/// <item>it gives Data Protection only keys whose every secret is sealed by this package, and logs a
/// Warning naming any other key: someone who can write the repository (a key folder) but holds no store
/// credential could otherwise plant a key with a plain &lt;masterKey&gt;, which would become the default;</item>
/// <item>it writes into each sealed secret, as it reads, the binding of the key element it is in, so a
/// secret moved to another key element does not authenticate.</item>
/// </list>
/// Other elements (revocations) pass through unchanged.
/// </summary>
internal sealed class SealedKeyRingRepository(IXmlRepository inner, SecureKeyStorage storage, ILogger logger) : IDeletableXmlRepository
{
    private static readonly string DecryptorTypeName = typeof(SecureKeyStorageXmlDecryptor).FullName!;
    private static readonly string DecryptorAssemblyName = typeof(SecureKeyStorageXmlDecryptor).Assembly.GetName().Name!;

    internal IXmlRepository Inner => inner;

    public IReadOnlyCollection<XElement> GetAllElements()
    {
        var elements = new List<XElement>();
        foreach (XElement element in inner.GetAllElements())
        {
            if (element.Name != KeyBinding.KeyElementName)
            {
                elements.Add(element);
                continue;
            }

            // A copy: the binding written below must not reach a repository that hands out its own elements.
            var key = new XElement(element);
            if (Refusal(key) is { } reason)
            {
                Log.UnsealedKeyRefused(logger, (string?)key.Attribute("id") ?? "(no id)", reason);
                continue;
            }

            string? binding = KeyBinding.Compute(key);
            foreach (XElement sealedKey in SealedKeys(key))
            {
                // Always overwritten, so a binding written into the repository by someone else counts for nothing.
                sealedKey.SetAttributeValue(EncryptedKeyXml.BindingAttribute, binding);
            }

            elements.Add(key);
        }

        return elements;
    }

    public void StoreElement(XElement element, string friendlyName)
    {
        ArgumentNullException.ThrowIfNull(element);
        inner.StoreElement(element.Name == KeyBinding.KeyElementName ? Bind(element) : element, friendlyName);
    }

    public bool DeleteElements(Action<IReadOnlyCollection<IDeletableElement>> chooseElements) =>
        inner is IDeletableXmlRepository deletable
            ? deletable.DeleteElements(chooseElements)
            : throw new NotSupportedException(inner.GetType().FullName);

    /// <summary>
    /// A copy of a new key element whose format-1 secrets (as the encryptor wrote them) are sealed again in
    /// format 2 under the same KEK version, bound to this element.
    /// </summary>
    private XElement Bind(XElement element)
    {
        var key = new XElement(element);
        string? binding = KeyBinding.Compute(key);
        if (binding is null)
        {
            return key;
        }

        foreach (XElement sealedElement in SealedKeys(key).ToList())
        {
            var sealedKey = EncryptedKeyXml.Parse(sealedElement);
            if (sealedKey.Format != EncryptedKeyXml.UnboundFormat)
            {
                continue;
            }

            using SecureBuffer kek = KeyEncryptionKeys.Get(storage, sealedKey.Kek, sealedKey.Version);
            using SecureBuffer plaintext = SecureKeyStorageXmlDecryptor.Open(kek, sealedKey);
            sealedElement.ReplaceWith(SecureKeyStorageXmlEncryptor.Seal(kek, sealedKey.Kek, sealedKey.Version, plaintext, binding));
        }

        return key;
    }

    /// <summary>Why <paramref name="key"/> is refused, or null when every secret in it is sealed by this package.</summary>
    private static string? Refusal(XElement key)
    {
        XElement? descriptor = key.Element("descriptor");
        if (descriptor is null)
        {
            return "it has no <descriptor>.";
        }

        if (descriptor.Descendants().Any(e => e.Name.LocalName == "masterKey"))
        {
            return "its master key is in plaintext (a <masterKey> element), not sealed.";
        }

        int ours = 0;
        foreach (XElement secret in descriptor.Descendants(KeyBinding.EncryptedSecretName))
        {
            if (!IsOurDecryptor((string?)secret.Attribute(KeyBinding.DecryptorTypeAttribute)))
            {
                return "its master key is sealed by another decryptor.";
            }

            if (!secret.Elements().Any(EncryptedKeyXml.IsEncryptedKey))
            {
                return "a secret it marks as sealed by this package holds no <encryptedKey>.";
            }

            ours++;
        }

        return ours == 0 ? "it holds no master key sealed by this package." : null;
    }

    private static IEnumerable<XElement> SealedKeys(XElement key) =>
        key.Descendants(KeyBinding.EncryptedSecretName).Elements().Where(EncryptedKeyXml.IsEncryptedKey);

    /// <summary>Compares the type and assembly names Data Protection would load, so a look-alike type in another assembly does not pass.</summary>
    private static bool IsOurDecryptor(string? assemblyQualifiedName)
    {
        if (assemblyQualifiedName is null)
        {
            return false;
        }

        string[] parts = assemblyQualifiedName.Split(',', 3, StringSplitOptions.TrimEntries);
        return parts.Length >= 2 && parts[0] == DecryptorTypeName && parts[1] == DecryptorAssemblyName;
    }
}
