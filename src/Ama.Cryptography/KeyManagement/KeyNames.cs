namespace Ama.Cryptography.KeyManagement;

/// <summary>The rules for key names and metadata.</summary>
internal static class KeyNames
{
    internal const int MaxNameLength = 128;
    internal const int MaxMetadataPairs = 64;
    internal const int MaxMetadataKeyLength = 128;
    internal const int MaxMetadataValueLength = 4096;

    internal static bool IsValidChar(int c) =>
        c is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or (>= '0' and <= '9') or '.' or '_' or '-';

    internal static bool IsValid(string? name) =>
        name is { Length: >= 1 and <= MaxNameLength } && !name.AsSpan().ContainsAnyExcept(NameChars.Values);

    internal static void Validate(string name, string paramName)
    {
        ArgumentNullException.ThrowIfNull(name, paramName);
        if (!IsValid(name))
        {
            throw Error.KeyStoreInvalidName(paramName);
        }
    }

    /// <summary>Checks metadata and returns it sorted by key, the order the file keeps it in.</summary>
    internal static KeyValuePair<string, string>[] Normalize(IReadOnlyDictionary<string, string>? metadata)
    {
        if (metadata is null || metadata.Count == 0)
        {
            return [];
        }

        if (metadata.Count > MaxMetadataPairs)
        {
            throw Error.KeyStoreInvalidMetadata();
        }

        var pairs = metadata.ToArray();
        foreach (var pair in pairs)
        {
            if (pair.Key is not { Length: >= 1 and <= MaxMetadataKeyLength } || pair.Value is null || pair.Value.Length > MaxMetadataValueLength
                || !KeyStoreFormat.IsEncodable(pair.Key) || !KeyStoreFormat.IsEncodable(pair.Value))
            {
                throw Error.KeyStoreInvalidMetadata();
            }
        }

        Array.Sort(pairs, (a, b) => string.CompareOrdinal(a.Key, b.Key));
        return pairs;
    }

    private static class NameChars
    {
        internal static readonly System.Buffers.SearchValues<char> Values =
            System.Buffers.SearchValues.Create("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-");
    }
}
