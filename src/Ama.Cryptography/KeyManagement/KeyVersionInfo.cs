namespace Ama.Cryptography.KeyManagement;

/// <summary>What a key store says about one version of a key, without its key material.</summary>
public sealed class KeyVersionInfo
{
    internal KeyVersionInfo(int version, bool isPrimary, int length, DateTimeOffset created, IReadOnlyDictionary<string, string> metadata)
    {
        Version = version;
        IsPrimary = isPrimary;
        Length = length;
        Created = created;
        Metadata = metadata;
    }

    /// <summary>Gets the version number: 1 for the first <see cref="SecureKeyStorage.Store(string, ReadOnlySpan{byte})"/> of a name, then increasing; numbers are never reused while the name exists.</summary>
    public int Version { get; }

    /// <summary>Gets whether this is the version <see cref="SecureKeyStorage.Retrieve(string)"/> returns (the newest one).</summary>
    public bool IsPrimary { get; }

    /// <summary>Gets the length of the key material in bytes.</summary>
    public int Length { get; }

    /// <summary>Gets when the version was stored (as the writer's clock said, to the millisecond).</summary>
    public DateTimeOffset Created { get; }

    /// <summary>Gets the metadata stored with the version; it is authenticated but not encrypted.</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }
}
