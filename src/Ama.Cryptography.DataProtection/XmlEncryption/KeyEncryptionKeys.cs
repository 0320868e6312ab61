using Ama.Cryptography.KeyManagement;

namespace Ama.Cryptography.DataProtection;

/// <summary>Finds and creates the key-encryption key (KEK): a 32-byte entry of the key store whose versions are the KEK's rotations.</summary>
internal static class KeyEncryptionKeys
{
    internal const int KeyLength = 32;

    private static readonly Dictionary<string, string> CreatedMetadata = new(StringComparer.Ordinal)
    {
        ["purpose"] = "aspnetcore-dataprotection-kek",
    };

    /// <summary>
    /// Returns the primary version of the KEK, creating version 1 when the store has none.
    /// Two processes that both find no KEK both store one: the store's writer lock makes them
    /// versions 1 and 2 of the same name, each process encrypts under the version it stored, and
    /// both versions stay, so every payload decrypts. The caller serializes calls in-process.
    /// </summary>
    internal static (int Version, SecureBuffer Key) GetOrCreatePrimary(SecureKeyStorage storage, string name)
    {
        RefreshIfShared(storage);
        if (storage.Contains(name))
        {
            int version = storage.ListVersions(name)[^1].Version;
            return (version, Get(storage, name, version));
        }

        return Create(storage, name);
    }

    /// <summary>Stores a new random KEK version and returns it with its number; the new version is the primary from then on.</summary>
    internal static (int Version, SecureBuffer Key) Create(SecureKeyStorage storage, string name)
    {
        SecureBuffer key = SecureMemory.RandomBytes(KeyLength);
        try
        {
            int version = storage.Store(name, key.Span, CreatedMetadata);
            return (version, key);
        }
        catch
        {
            key.Dispose();
            throw;
        }
    }

    /// <summary>Returns one version; a version another process added since the last read is found after one refresh.</summary>
    internal static SecureBuffer Get(SecureKeyStorage storage, string name, int version)
    {
        SecureBuffer key;
        try
        {
            key = storage.Retrieve(name, version);
        }
        catch (KeyNotFoundException) when (!storage.IsInMemory)
        {
            storage.Refresh();
            key = RetrieveAfterRefresh(storage, name, version);
        }

        if (key.Length != KeyLength)
        {
            int length = key.Length;
            key.Dispose();
            throw Error.KekWrongLength(name, version, length);
        }

        return key;
    }

    private static SecureBuffer RetrieveAfterRefresh(SecureKeyStorage storage, string name, int version)
    {
        try
        {
            return storage.Retrieve(name, version);
        }
        catch (KeyNotFoundException e)
        {
            throw Error.KekNotFound(name, version, storage, e);
        }
    }

    private static void RefreshIfShared(SecureKeyStorage storage)
    {
        if (!storage.IsInMemory)
        {
            storage.Refresh();
        }
    }
}
