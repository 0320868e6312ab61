namespace Ama.Cryptography.KeyManagement;

/// <summary>
/// A state's entries in ordinal name order: a sorted array, and the changes a draft has made on top of it.
/// </summary>
/// <remarks>
/// A draft shares its state's array, so making one costs nothing however many entries there are, and a change
/// costs a lookup, not a copy of the set. The changes are merged into a new array the first time the entries are
/// walked in order (a write walks them once to make the image), so a batch of many changes is merged once.
/// Like the state that owns it, an instance is used under the storage's lock only.
/// </remarks>
internal sealed class KeyEntries
{
    private KeyEntry[] sorted;

    // A draft's changes not yet merged into `sorted`: a new or changed entry, or null for one removed.
    private SortedDictionary<string, KeyEntry?>? changes;

    /// <summary>Takes <paramref name="sorted"/>, which must be in strictly ascending ordinal name order, as it is.</summary>
    internal KeyEntries(KeyEntry[] sorted)
    {
        this.sorted = sorted;
        Count = sorted.Length;
    }

    /// <summary>Gets how many names there are.</summary>
    internal int Count { get; private set; }

    /// <summary>Gets the entries in ordinal name order.</summary>
    internal ReadOnlySpan<KeyEntry> Ordered
    {
        get
        {
            Merge();
            return sorted;
        }
    }

    /// <summary>Gets the names in ordinal order.</summary>
    internal string[] Names
    {
        get
        {
            Merge();
            return Array.ConvertAll(sorted, entry => entry.Name);
        }
    }

    /// <summary>Gets the entry named <paramref name="name"/>.</summary>
    /// <exception cref="KeyNotFoundException">There is no entry of that name.</exception>
    internal KeyEntry this[string name] => TryGetValue(name, out var entry) ? entry : throw Error.KeyStoreNameNotFound(name);

    /// <summary>Builds a set from entries in any order; a repeated name is a bug in the caller.</summary>
    internal static KeyEntries From(List<KeyEntry> entries)
    {
        entries.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));
        return new KeyEntries([.. entries]);
    }

    /// <summary>A set to change that shares this one's entries; changing it leaves this one as it is.</summary>
    internal KeyEntries Draft()
    {
        Merge();
        return new KeyEntries(sorted);
    }

    internal bool ContainsKey(string name) => TryGetValue(name, out _);

    internal bool TryGetValue(string name, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out KeyEntry? entry)
    {
        if (changes is not null && changes.TryGetValue(name, out entry))
        {
            return entry is not null;
        }

        int index = IndexOf(name);
        entry = index >= 0 ? sorted[index] : null;
        return entry is not null;
    }

    /// <summary>Adds <paramref name="entry"/>, or puts it in place of the entry with its name.</summary>
    internal void Set(KeyEntry entry)
    {
        if (!ContainsKey(entry.Name))
        {
            Count++;
        }

        (changes ??= new(StringComparer.Ordinal))[entry.Name] = entry;
    }

    /// <summary>Removes the entry named <paramref name="name"/>; returns whether there was one.</summary>
    internal bool Remove(string name)
    {
        if (!ContainsKey(name))
        {
            return false;
        }

        Count--;
        (changes ??= new(StringComparer.Ordinal))[name] = null;
        return true;
    }

    private int IndexOf(string name)
    {
        int low = 0;
        int high = sorted.Length - 1;
        while (low <= high)
        {
            int middle = low + ((high - low) / 2);
            int order = string.CompareOrdinal(sorted[middle].Name, name);
            if (order == 0)
            {
                return middle;
            }

            if (order < 0)
            {
                low = middle + 1;
            }
            else
            {
                high = middle - 1;
            }
        }

        return -1;
    }

    /// <summary>Merges the changes into a new sorted array: one pass over both, as both are in name order.</summary>
    private void Merge()
    {
        if (changes is null)
        {
            return;
        }

        var merged = new KeyEntry[Count];
        int from = 0;
        int to = 0;
        foreach (var (name, changed) in changes)
        {
            while (from < sorted.Length && string.CompareOrdinal(sorted[from].Name, name) < 0)
            {
                merged[to++] = sorted[from++];
            }

            if (from < sorted.Length && string.Equals(sorted[from].Name, name, StringComparison.Ordinal))
            {
                from++;
            }

            if (changed is not null)
            {
                merged[to++] = changed;
            }
        }

        Array.Copy(sorted, from, merged, to, sorted.Length - from);
        sorted = merged;
        changes = null;
    }
}
