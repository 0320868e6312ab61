namespace Ama.Cryptography.KeyManagement;

/// <summary>One sealed version of a key: public fields, and the AES-GCM nonce, ciphertext and tag.</summary>
internal sealed class SealedVersion
{
    internal required int Version { get; init; }

    internal required long CreatedUnixMs { get; init; }

    internal required KeyValuePair<string, string>[] Metadata { get; init; }

    internal required int Length { get; init; }

    /// <summary>
    /// Nonce (12), ciphertext (<see cref="Length"/>), tag (16). A version read from an image is a
    /// slice of that image, not a copy: the parsed state then holds the image once instead of the
    /// image and a copy of every entry (issue 23, finding 6). Images are never changed after they
    /// are read.
    /// </summary>
    internal required ReadOnlyMemory<byte> Sealed { get; init; }
}

/// <summary>One name with its versions, oldest first; the newest is the primary.</summary>
/// <remarks>
/// An entry in a committed state never changes: a change works on a <see cref="Copy"/>, so a draft can share every
/// entry it does not change with the live state, and an entry's <see cref="Record"/> stays true once it is set.
/// </remarks>
internal sealed class KeyEntry
{
    internal KeyEntry(string name) => Name = name;

    internal string Name { get; }

    internal int NextVersion { get; set; } = 1;

    internal List<SealedVersion> Versions { get; } = [];

    internal SealedVersion Primary => Versions[^1];

    internal SealedVersion? Find(int version) => Versions.Find(v => v.Version == version);

    /// <summary>
    /// Gets or sets the entry's bytes in the image format (name, next version, versions), once known: a slice of
    /// the image it was read from, or the bytes it was first written as. A write copies it instead of encoding
    /// every field of every entry again (issue 23: a Store into a 100,000-entry store).
    /// </summary>
    internal ReadOnlyMemory<byte> Record { get; set; }

    /// <summary>A copy to change: the same sealed versions, and no <see cref="Record"/> until it is written.</summary>
    internal KeyEntry Copy()
    {
        var copy = new KeyEntry(Name) { NextVersion = NextVersion };
        copy.Versions.AddRange(Versions);
        return copy;
    }
}

/// <summary>Everything a key store file holds apart from its integrity trailer.</summary>
internal sealed class KeyStoreState
{
    /// <summary>Gets or sets the format version the state was read as, or is written as: 1 only for a version 1 image not yet written again.</summary>
    internal ushort FormatVersion { get; set; } = KeyStoreFormat.FormatVersion;

    internal byte[] StoreId { get; init; } = new byte[16];

    internal ulong Generation { get; set; }

    internal KeyStoreKdf? Kdf { get; set; }

    internal byte[] Salt { get; set; } = new byte[KeyDerivation.SaltLength];

    internal byte[] Commitment { get; set; } = new byte[32];

    /// <summary>How many entries have been encrypted under the current data key; bounds random-nonce collisions.</summary>
    internal ulong Encryptions { get; set; }

    /// <summary>Nonce (12), wrapped data key (32), tag (16).</summary>
    internal byte[] WrappedDataKey { get; set; } = new byte[60];

    /// <summary>Gets or sets the entries, in ordinal name order.</summary>
    internal KeyEntries Entries { get; set; } = new([]);

    /// <summary>
    /// A copy that a change is made on and that replaces the live state only once it is committed,
    /// so a change that fails part-way leaves nothing behind. It shares the entries it does not
    /// change, so making it costs the same for ten entries as for a hundred thousand.
    /// </summary>
    internal KeyStoreState Draft()
    {
        var draft = new KeyStoreState
        {
            FormatVersion = FormatVersion,
            StoreId = StoreId,
            Generation = Generation,
            Kdf = Kdf,
            Salt = Salt,
            Commitment = Commitment,
            Encryptions = Encryptions,
            WrappedDataKey = WrappedDataKey,
            Entries = Entries.Draft(),
        };
        return draft;
    }
}
