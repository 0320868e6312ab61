using System.Xml;
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
internal sealed class SecureKeyStorageXmlRepository(SecureKeyStorage storage) : IDeletableXmlRepository
{
    public IReadOnlyCollection<XElement> GetAllElements() =>
        [.. ReadAll().Select(stored => stored.Element)];

    /// <summary>
    /// Lets Data Protection choose elements to delete (keys it has decided to forget), then destroys the
    /// chosen entry versions in one key store commit: all of them or, if the write fails, none.
    /// </summary>
    public bool DeleteElements(Action<IReadOnlyCollection<IDeletableElement>> chooseElements)
    {
        ArgumentNullException.ThrowIfNull(chooseElements);
        List<StoredElement> candidates = ReadAll();
        chooseElements(candidates.AsReadOnly());
        using KeyStoreBatch batch = storage.BeginBatch();
        foreach (StoredElement chosen in candidates.Where(c => c.DeletionOrder.HasValue).OrderBy(c => c.DeletionOrder))
        {
            batch.DestroyVersion(chosen.Name, chosen.Version);
        }

        if (batch.Count > 0)
        {
            batch.Commit();
        }

        return true;
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

    private List<StoredElement> ReadAll()
    {
        // Other processes' keys: a file or database store is read again; an in-memory one has no others.
        if (!storage.IsInMemory)
        {
            storage.Refresh();
        }

        var elements = new List<StoredElement>();
        foreach (string name in storage.ListKeys())
        {
            if (name.StartsWith(Names.RepositoryPrefix, StringComparison.Ordinal))
            {
                AddEveryVersion(name, elements);
            }
        }

        return elements;
    }

    /// <summary>
    /// Adds the versions of one entry. A file watcher or a database listener may refresh the storage
    /// between the listing and these reads, so an entry or version another instance deleted meanwhile
    /// is left out: it is no longer part of the ring, and one deletion must not fail the whole read.
    /// </summary>
    private void AddEveryVersion(string name, List<StoredElement> elements)
    {
        IReadOnlyList<KeyVersionInfo> versions;
        try
        {
            versions = storage.ListVersions(name);
        }
        catch (KeyNotFoundException)
        {
            return;
        }

        foreach (KeyVersionInfo version in versions)
        {
            SecureBuffer xml;
            try
            {
                xml = storage.Retrieve(name, version.Version);
            }
            catch (KeyNotFoundException)
            {
                continue;
            }

            using (xml)
            {
                elements.Add(new StoredElement(name, version.Version, ParseEntry(name, version.Version, xml)));
            }
        }
    }

    /// <summary>
    /// Parses one entry; a failure names the entry, and keeps out the XML reader's message, which
    /// can quote the entry's text, and that text may hold a master key.
    /// </summary>
    private static XElement ParseEntry(string name, int version, SecureBuffer xml)
    {
        try
        {
            return XmlBytes.Parse(xml);
        }
        catch (XmlException e)
        {
            throw Error.RepositoryEntryNotXml(name, version, e.LineNumber, e.LinePosition);
        }
    }

    /// <summary>An element with the entry version that holds it, as Data Protection's deletion callback sees it.</summary>
    private sealed class StoredElement(string name, int version, XElement element) : IDeletableElement
    {
        public string Name => name;

        public int Version => version;

        public XElement Element => element;

        public int? DeletionOrder { get; set; }
    }
}
