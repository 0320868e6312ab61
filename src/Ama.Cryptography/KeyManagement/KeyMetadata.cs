namespace Ama.Cryptography.KeyManagement;

/// <summary>
/// The rules for a version's metadata, checked before anything is sealed or written: the file
/// keeps the pairs with keys strictly ascending by ordinal comparison, and its reader rejects
/// anything else, so the writer must refuse what the reader would refuse.
/// </summary>
internal static class KeyMetadata
{
    internal const int MaxPairs = 64;
    internal const int MaxKeyLength = 128;
    internal const int MaxValueLength = 4096;

    /// <summary>Checks metadata and returns it sorted by key, the order the file keeps it in.</summary>
    internal static KeyValuePair<string, string>[] Normalize(IReadOnlyDictionary<string, string>? metadata)
    {
        if (metadata is null || metadata.Count == 0)
        {
            return [];
        }

        // Copy first: the dictionary is the caller's and may change or count differently while we look at it.
        var pairs = metadata.ToArray();
        if (pairs.Length > MaxPairs)
        {
            throw Error.KeyStoreInvalidMetadata();
        }

        foreach (var pair in pairs)
        {
            ThrowIfInvalid(pair);
        }

        Array.Sort(pairs, static (a, b) => string.CompareOrdinal(a.Key, b.Key));
        ThrowIfDuplicateKeys(pairs, nameof(metadata));
        return pairs;
    }

    private static void ThrowIfInvalid(KeyValuePair<string, string> pair)
    {
        if (pair.Key is not { Length: >= 1 and <= MaxKeyLength } || pair.Value is null || pair.Value.Length > MaxValueLength
            || !KeyStoreFormat.IsEncodable(pair.Key) || !KeyStoreFormat.IsEncodable(pair.Value))
        {
            throw Error.KeyStoreInvalidMetadata();
        }
    }

    /// <summary>A dictionary whose comparer is not ordinal (reference equality, a custom comparer) can hold two ordinal-equal keys.</summary>
    private static void ThrowIfDuplicateKeys(KeyValuePair<string, string>[] sortedPairs, string paramName)
    {
        for (int i = 1; i < sortedPairs.Length; i++)
        {
            if (string.Equals(sortedPairs[i - 1].Key, sortedPairs[i].Key, StringComparison.Ordinal))
            {
                throw Error.KeyStoreDuplicateMetadataKey(paramName, sortedPairs[i].Key);
            }
        }
    }
}
