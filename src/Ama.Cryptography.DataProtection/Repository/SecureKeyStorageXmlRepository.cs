using System.Xml;
using System.Xml.Linq;
using Ama.Cryptography.KeyManagement;
using Microsoft.AspNetCore.DataProtection.Repositories;
using Microsoft.Extensions.Logging;

namespace Ama.Cryptography.DataProtection;

/// <summary>
/// Keeps the Data Protection key ring inside a key store: one entry per key element, named
/// <c>dataprotection.xml.</c> plus the element's friendly name, holding the element's UTF-8 XML.
/// Each <see cref="StoreElement"/> is one atomic commit of the key store file, so a crash leaves the
/// old ring or the new one, and every process that opens the store sees the elements of the others
/// at its next <see cref="GetAllElements"/>.
/// </summary>
internal sealed class SecureKeyStorageXmlRepository(SecureKeyStorage storage, ILogger logger) : IDeletableXmlRepository
{
    private static readonly XName KeyElementName = "key";

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
            foreach (int version in chosen.Versions)
            {
                batch.DestroyVersion(chosen.Name, version);
            }
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
    /// version beside the first rather than a replacement; <see cref="GetAllElements"/> returns the newest
    /// version only, and logs an Error naming the entry.
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
        var keyIds = new Dictionary<Guid, string>();
        foreach (string name in storage.ListKeys())
        {
            if (name.StartsWith(Names.RepositoryPrefix, StringComparison.Ordinal) && ReadNewest(name) is { } stored)
            {
                // Data Protection refuses a whole ring that holds one key id twice, so a copy of a key
                // in a second entry costs that entry only; the first entry in the store's order wins.
                if (KeyId(stored.Element) is Guid id && !keyIds.TryAdd(id, name))
                {
                    Log.DuplicateKeyId(logger, name, id, keyIds[id]);
                    continue;
                }

                elements.Add(stored);
            }
        }

        return elements;
    }

    /// <summary>
    /// Reads the newest version of one entry. An entry holds one element, so older versions are left
    /// out with an Error (Data Protection refuses a ring with two elements of one key id), and an entry
    /// that is not XML is left out with an Error naming it: one bad entry costs one key, not the ring.
    /// A file watcher or a database listener may refresh the storage between the listing and these
    /// reads, so an entry or version another instance deleted meanwhile is left out too.
    /// </summary>
    private StoredElement? ReadNewest(string name)
    {
        IReadOnlyList<KeyVersionInfo> versions;
        SecureBuffer xml;
        int newest;
        try
        {
            versions = storage.ListVersions(name);
            if (versions.Count == 0)
            {
                return null;
            }

            newest = versions.Max(v => v.Version);
            xml = storage.Retrieve(name, newest);
        }
        catch (KeyNotFoundException)
        {
            return null;
        }

        if (versions.Count > 1)
        {
            Log.OlderVersionsSkipped(logger, name, versions.Count, newest);
        }

        using (xml)
        {
            // Keeps out the XML reader's message, which can quote the entry's text, and that text may hold a master key.
            try
            {
                return new StoredElement(name, [.. versions.Select(v => v.Version)], XmlBytes.Parse(xml));
            }
            catch (XmlException e)
            {
                Log.EntryNotXml(logger, name, newest, e.LineNumber, e.LinePosition);
                return null;
            }
        }
    }

    private static Guid? KeyId(XElement element) =>
        element.Name == KeyElementName && Guid.TryParse((string?)element.Attribute("id"), out Guid id) ? id : null;

    /// <summary>An element with the entry versions that hold it, as Data Protection's deletion callback sees it.</summary>
    private sealed class StoredElement(string name, int[] versions, XElement element) : IDeletableElement
    {
        public string Name => name;

        /// <summary>Every version of the entry, so that deleting the element deletes the skipped older versions too.</summary>
        public int[] Versions => versions;

        public XElement Element => element;

        public int? DeletionOrder { get; set; }
    }
}
