using System.Text;

namespace Ama.Cryptography.KeyManagement;

/// <summary>
/// Where a store lives, as far as its MAC is concerned (format version 2): the MAC key is derived
/// from the data key and these bytes, so an image carried to another place no longer authenticates.
/// A PostgreSQL store is bound to its schema and store name: rows copied, swapped or renamed under
/// another name or schema are damage even for an instance that never saw the store before. A file
/// store is bound only to being a file (docs/threat-model.md says why its path is not bound).
/// </summary>
internal sealed class KeyStoreBinding
{
    private KeyStoreBinding(byte[] bytes, string description)
    {
        Bytes = bytes;
        Description = description;
    }

    /// <summary>Gets every file store's binding: "file". It keeps a file's image from authenticating as rows and the reverse.</summary>
    internal static KeyStoreBinding File { get; } = new("file"u8.ToArray(), "a key store file (its path is not bound)");

    /// <summary>Gets the binding of an in-memory storage, whose images are never written.</summary>
    internal static KeyStoreBinding InMemory { get; } = new("memory"u8.ToArray(), "memory");

    /// <summary>Gets the HKDF context: "file", or "postgresql" followed by the schema and the store name, each preceded by its length in one byte.</summary>
    internal byte[] Bytes { get; }

    /// <summary>Gets how messages name the binding.</summary>
    internal string Description { get; }

    /// <summary>
    /// The binding of a PostgreSQL store. Both names are short ASCII (a schema at most 63 characters of
    /// a-z, 0-9 and '_', a store name at most 128 of A-Z, a-z, 0-9, '.', '_' and '-'), so one length
    /// byte each makes the encoding unambiguous; the database's name is deliberately left out.
    /// </summary>
    internal static KeyStoreBinding PostgreSql(string schema, string storeName)
    {
        if (!KeyNames.IsValid(storeName) || schema.Length is 0 or > 63 || !Ascii.IsValid(schema))
        {
            throw Error.KeyStoreInvalidBinding(nameof(storeName));
        }

        byte[] bytes = [.. "postgresql"u8, (byte)schema.Length, .. Encoding.ASCII.GetBytes(schema), (byte)storeName.Length, .. Encoding.ASCII.GetBytes(storeName)];
        return new(bytes, string.Create(System.Globalization.CultureInfo.InvariantCulture, $"the PostgreSQL schema '{schema}' and store name '{storeName}'"));
    }
}
