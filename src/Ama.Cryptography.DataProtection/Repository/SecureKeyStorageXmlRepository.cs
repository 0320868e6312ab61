using System.Xml.Linq;
using Ama.Cryptography.KeyManagement;
using Microsoft.AspNetCore.DataProtection.Repositories;

namespace Ama.Cryptography.DataProtection;

/// <summary>
/// Keeps the Data Protection key ring inside a key store: one entry per key element, named
/// <c>dataprotection.xml.</c> plus the element's friendly name, holding the element's UTF-8 XML.
/// Each <see cref="StoreElement"/> is one atomic commit of the key store file, so a crash leaves the
/// old ring or the new one, and every process that opens the store sees the elements of the others
/// at its next <see cref="GetAllElements"/>.
/// </summary>
internal sealed class SecureKeyStorageXmlRepository(SecureKeyStorage storage) : IXmlRepository
{
    public IReadOnlyCollection<XElement> GetAllElements()
    {
        if (storage.FilePath is not null)
        {
            storage.Refresh();
        }

        var elements = new List<XElement>();
        foreach (string name in storage.ListKeys())
        {
            if (name.StartsWith(Names.RepositoryPrefix, StringComparison.Ordinal))
            {
                AddEveryVersion(name, elements);
            }
        }

        return elements.AsReadOnly();
    }

    /// <summary>
    /// Stores the element as a new version of its entry. Data Protection never reuses a key id, so an
    /// entry name normally gets one version; if two friendly names map to one entry name (after the
    /// unsupported characters are replaced, or a revocation at the same instant), the second is a new
    /// version beside the first rather than a replacement, and <see cref="GetAllElements"/> returns both.
    /// Storing a version is atomic in the store, so two processes that pick one name cannot lose either element.
    /// </summary>
    public void StoreElement(XElement element, string friendlyName)
    {
        ArgumentNullException.ThrowIfNull(element);
        using SecureBuffer xml = XmlBytes.Serialize(element);
        storage.Store(Names.RepositoryEntryName(friendlyName), xml.Span);
    }

    private void AddEveryVersion(string name, List<XElement> elements)
    {
        foreach (KeyVersionInfo version in storage.ListVersions(name))
        {
            using SecureBuffer xml = storage.Retrieve(name, version.Version);
            elements.Add(XmlBytes.Parse(xml));
        }
    }
}
