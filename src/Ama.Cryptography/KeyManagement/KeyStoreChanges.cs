namespace Ama.Cryptography.KeyManagement;

/// <summary>The edits a commit makes to a draft state: new versions, deletions, destroyed versions, and a full re-seal.</summary>
internal static class KeyStoreChanges
{
    /// <summary>Applies one change to <paramref name="draft"/>; returns the new version (Store) or 1/0 (Delete, DestroyVersion).</summary>
    internal static int Apply(KeyStoreState draft, EntryCipher cipher, PendingChange change) => change.Kind switch
    {
        PendingChange.ChangeKind.Store => StoreOne(draft, cipher, change),
        PendingChange.ChangeKind.Delete => draft.Entries.Remove(change.Name) ? 1 : 0,
        _ => DestroyOne(draft, change.Name, change.Version) ? 1 : 0,
    };

    /// <summary>Returns <paramref name="state"/> re-sealed from <paramref name="oldRing"/> to <paramref name="newRing"/>; each version keeps its creation time.</summary>
    /// <exception cref="KeyStoreDamagedException">A version does not decrypt under the old key.</exception>
    internal static KeyStoreState Reencrypt(KeyStoreState state, KeyRing oldRing, KeyRing newRing)
    {
        using var oldCipher = new EntryCipher(oldRing);
        using var newCipher = new EntryCipher(newRing);
        var rotated = new KeyStoreState
        {
            StoreId = state.StoreId,
            Generation = state.Generation,
            Kdf = state.Kdf,
            Salt = state.Salt,
            Commitment = state.Commitment,
            WrappedDataKey = state.WrappedDataKey,
        };
        var entries = new List<KeyEntry>(state.Entries.Count);
        foreach (var entry in state.Entries.Ordered)
        {
            var copy = new KeyEntry(entry.Name) { NextVersion = entry.NextVersion };
            foreach (var version in entry.Versions)
            {
                using var plaintext = new SecureBuffer(version.Length);
                if (!oldCipher.TryOpen(state.StoreId, entry.Name, version, plaintext.Span))
                {
                    throw Error.KeyStoreEntryDamaged(entry.Name, version.Version);
                }

                copy.Versions.Add(newCipher.Seal(rotated, entry.Name, version.Version, version.Metadata, plaintext.Span, version.CreatedUnixMs));
            }

            entries.Add(copy);
        }

        rotated.Entries = KeyEntries.From(entries);
        return rotated;
    }

    private static int StoreOne(KeyStoreState draft, EntryCipher cipher, PendingChange change)
    {
        draft.Entries.TryGetValue(change.Name, out var entry);
        if (entry?.Versions.Count == ushort.MaxValue)
        {
            throw Error.KeyStoreTooManyVersions(change.Name);
        }

        int version = entry?.NextVersion ?? 1;
        var sealedVersion = cipher.Seal(draft, change.Name, version, change.Metadata, change.Plaintext!.Span);
        var changed = entry?.Copy() ?? new KeyEntry(change.Name);
        changed.NextVersion = version + 1;
        changed.Versions.Add(sealedVersion);
        draft.Entries.Set(changed);
        return version;
    }

    private static bool DestroyOne(KeyStoreState draft, string name, int version)
    {
        if (!draft.Entries.TryGetValue(name, out var entry) || entry.Find(version) is null)
        {
            return false;
        }

        var changed = entry.Copy();
        changed.Versions.RemoveAll(v => v.Version == version);
        if (changed.Versions.Count == 0)
        {
            draft.Entries.Remove(name);
        }
        else
        {
            draft.Entries.Set(changed);
        }

        return true;
    }
}
