using System.Runtime.InteropServices;
using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;

namespace Ama.Cryptography.KeyManagement;

/// <summary>
/// The crypto and versioning of a key store, whatever holds it: the master key and the key ring
/// (data key and MAC key), sealing and opening entries, the whole-image MAC, and generations.
/// It turns images from a backend into live state only after they authenticate, and live state into
/// the next image. Not thread-safe: <see cref="SecureKeyStorage"/> serialises every call.
/// </summary>
internal sealed class KeyStoreEnvelope : IDisposable
{
    // Where the store lives, as the version 2 MAC binds it: fixed for the envelope's life.
    private readonly KeyStoreBinding binding;
    private KeyRing ring;
    private SecureBuffer? masterKey;

    // The image the live state was read from or committed as (sealed bytes, no secret): a backend
    // image equal to it is the live state, so catching up with it needs no parsing or MAC.
    /// <summary>
    /// The trailer (MAC and SHA-256 checksum) of the image last read or written, to tell an unchanged
    /// image without parsing it. The whole image used to be kept for this, a second copy of the
    /// store in memory beside the parsed state; the checksum names the image as well.
    /// </summary>
    private byte[]? currentTrailer;

    // The image last read or written, when this instance holds it anyway: a parsed image (its entries are slices
    // of it) or the write buffer. A writer then tells an unchanged file by comparing bytes, not by hashing it.
    private ReadOnlyMemory<byte> currentImage;

    // The memory each commit writes its image into (KeyStoreFormat.Serialize); it holds no secret.
    private byte[]? writeBuffer;

    private KeyStoreEnvelope(KeyStoreState state, KeyStoreBinding binding, KeyRing ring, SecureBuffer? masterKey, byte[]? image)
    {
        State = state;
        this.binding = binding;
        this.ring = ring;
        this.masterKey = masterKey;
        currentTrailer = image is null ? null : KeyStoreFormat.TrailerOf(image);
        currentImage = image;
    }

    /// <summary>Gets the live state: always a generation that was read from the backend or committed to it.</summary>
    internal KeyStoreState State { get; private set; }

    /// <summary>An envelope with no backend, whose entries are sealed directly under the caller's data key.</summary>
    internal static KeyStoreEnvelope InMemory(ReadOnlySpan<byte> dataKey) =>
        new(new KeyStoreState { StoreId = RandomNumberGenerator.GetBytes(16) }, KeyStoreBinding.InMemory, KeyRing.FromDataKey(dataKey), masterKey: null, image: null);

    /// <summary>A new, empty store: a random data key wrapped by the master key from <paramref name="credential"/>.</summary>
    /// <param name="credential">The raw key or password (its KDF runs once here).</param>
    /// <param name="binding">Where the store will live; its MAC is bound to it.</param>
    /// <param name="image">The store's first image, generation 1, for the backend to create.</param>
    internal static KeyStoreEnvelope CreateNew(KeyStoreCredential credential, KeyStoreBinding binding, out byte[] image)
    {
        var state = new KeyStoreState
        {
            StoreId = RandomNumberGenerator.GetBytes(16),
            Generation = 1,
            Kdf = credential.Kdf,
            Salt = credential.IsPassword ? RandomNumberGenerator.GetBytes(KeyDerivation.SaltLength) : new byte[KeyDerivation.SaltLength],
        };
        var master = new SecureBuffer(KeyDerivation.KeyLength);
        var ring = KeyRing.CreateRandom(binding);
        try
        {
            credential.DeriveMasterKey(state.Kdf, state.Salt, master.Span);
            state.Commitment = KeyRing.Commitment(master.Span, state);
            ring.Wrap(master.Span, state);
            image = KeyStoreFormat.Serialize(state, ring.MacKey(state.FormatVersion));
            return new KeyStoreEnvelope(state, binding, ring, master, image);
        }
        catch
        {
            ring.Dispose();
            master.Dispose();
            throw;
        }
    }

    /// <summary>Opens an image: the credential is checked before any entry is read, then the whole image is authenticated.</summary>
    /// <param name="location">How messages name the store.</param>
    /// <param name="binding">Where the image was read from: a version 2 image authenticates only there.</param>
    /// <param name="image">The image the backend read.</param>
    /// <param name="credential">The raw key or password.</param>
    /// <exception cref="KeyStoreCredentialException">The credential is wrong, or of the wrong kind.</exception>
    /// <exception cref="KeyStoreDamagedException">The image is damaged or altered, or was written for another place.</exception>
    internal static KeyStoreEnvelope Open(string location, KeyStoreBinding binding, byte[] image, KeyStoreCredential credential)
    {
        var state = KeyStoreFormat.Parse(image);
        if ((state.Kdf is not null) != credential.IsPassword)
        {
            throw Error.KeyStoreCredentialKind(location, state.Kdf is not null);
        }

        var master = new SecureBuffer(KeyDerivation.KeyLength);
        try
        {
            credential.DeriveMasterKey(state.Kdf, state.Salt, master.Span);
            var ring = Authenticate(location, binding, image, state, master.Span, Error.KeyStoreWrongCredential);
            return new KeyStoreEnvelope(state, binding, ring, master, image);
        }
        catch
        {
            master.Dispose();
            throw;
        }
    }

    /// <summary>Brings the live state up to <paramref name="image"/>, the backend's newest, if it is a newer generation of the same store.</summary>
    /// <exception cref="KeyStoreDamagedException">The image belongs to another store, is older than the live state (a rollback), or does not authenticate.</exception>
    /// <exception cref="KeyStoreCredentialException">Another process changed the credential.</exception>
    internal void CatchUp(string location, byte[] image)
    {
        if (currentTrailer is not null && KeyStoreFormat.IsImageWithTrailer(image, currentTrailer))
        {
            return;
        }

        var current = KeyStoreFormat.Parse(image);
        if (!current.StoreId.AsSpan().SequenceEqual(State.StoreId))
        {
            throw Error.KeyStoreReplaced(location);
        }

        // The live state only ever holds a generation that was read or committed (a failed change
        // never touches it), so it is the floor a rollback is measured against.
        if (current.Generation < State.Generation)
        {
            throw Error.KeyStoreRolledBack(location, State.Generation, current.Generation);
        }

        if (current.Generation == State.Generation)
        {
            return;
        }

        var newRing = Authenticate(location, binding, image, current, masterKey!.Span, Error.KeyStoreCredentialChanged);
        ring.Dispose();
        ring = newRing;
        State = current;
        currentTrailer = KeyStoreFormat.TrailerOf(image);
        currentImage = image;
    }

    /// <summary>Brings the live state up to the writer's current image, reading it only when it is not the image last read or written.</summary>
    internal void CatchUp(string location, IKeyStoreWriter writer)
    {
        byte[]? changed = currentTrailer is null ? writer.Read() : writer.ReadIfChanged(currentTrailer, currentImage);
        if (changed is not null)
        {
            CatchUp(location, changed);
        }
    }

    /// <summary>Decrypts one version (the primary when <paramref name="version"/> is null) into a new secure buffer, and gives its version number.</summary>
    /// <exception cref="KeyStoreDamagedException">The entry does not decrypt.</exception>
    internal bool TryDecrypt(string name, int? version, [NotNullWhen(true)] out SecureBuffer? key, out int foundVersion)
    {
        key = null;
        foundVersion = 0;
        if (!State.Entries.TryGetValue(name, out var entry))
        {
            return false;
        }

        var sealedVersion = version is { } v ? entry.Find(v) : entry.Primary;
        if (sealedVersion is null)
        {
            return false;
        }

        var buffer = new SecureBuffer(sealedVersion.Length);
        using var cipher = new EntryCipher(ring);
        if (!cipher.TryOpen(State.StoreId, entry.Name, sealedVersion, buffer.Span))
        {
            buffer.Dispose();
            throw Error.KeyStoreEntryDamaged(entry.Name, sealedVersion.Version);
        }

        key = buffer;
        foundVersion = sealedVersion.Version;
        return true;
    }

    /// <summary>
    /// Applies a batch and commits it as the next generation; returns per change the new version
    /// (Store) or 1/0 (Delete, DestroyVersion). The changes go to a draft that becomes the live state
    /// only once committed, so a batch is all or nothing in memory as in the backend.
    /// </summary>
    internal int[] Commit(List<PendingChange> changes, IKeyStoreWriter? writer)
    {
        var prepared = Prepare(changes, sealImage: writer is not null);
        writer?.Commit(prepared.Image);
        Adopt(prepared);
        return prepared.Results;
    }

    /// <summary>
    /// The first half of a commit whose write is awaited: applies the batch to a draft and seals the next
    /// generation's image, without touching the live state. The image lives in this envelope's write buffer,
    /// so nothing else may prepare a commit until this one is adopted or dropped.
    /// </summary>
    internal PreparedCommit Prepare(List<PendingChange> changes, bool sealImage = true)
    {
        var draft = State.Draft();
        var results = new int[changes.Count];
        using (var cipher = new EntryCipher(ring))
        {
            for (int i = 0; i < changes.Count; i++)
            {
                results[i] = KeyStoreChanges.Apply(draft, cipher, changes[i]);
            }
        }

        return new PreparedCommit(draft, SealNext(draft, ring, sealImage), results);
    }

    /// <summary>
    /// The second half: the backend has committed the prepared image, so it becomes the live state, unless this
    /// envelope has meanwhile read a newer generation (a refresh that saw this commit and another after it):
    /// the live state only ever moves forward, since it is the floor a rollback is measured against.
    /// </summary>
    internal void Adopt(PreparedCommit prepared)
    {
        if (prepared.State.Generation <= State.Generation)
        {
            return;
        }

        if (!prepared.Image.IsEmpty)
        {
            currentTrailer = KeyStoreFormat.TrailerOf(prepared.Image.Span);
            currentImage = MemoryMarshal.TryGetArray(prepared.Image, out var segment) && segment.Array == writeBuffer ? prepared.Image : default;
        }

        State = prepared.State;
    }

    /// <summary>Wraps the same data key under the master key from <paramref name="newCredential"/>, with a new salt, and commits it.</summary>
    internal void ChangeCredential(KeyStoreCredential newCredential, IKeyStoreWriter writer)
    {
        var newMaster = new SecureBuffer(KeyDerivation.KeyLength);
        try
        {
            var draft = State.Draft();
            draft.FormatVersion = KeyStoreFormat.FormatVersion;
            draft.Kdf = newCredential.Kdf;
            draft.Salt = newCredential.IsPassword ? RandomNumberGenerator.GetBytes(KeyDerivation.SaltLength) : new byte[KeyDerivation.SaltLength];
            newCredential.DeriveMasterKey(draft.Kdf, draft.Salt, newMaster.Span);
            draft.Commitment = KeyRing.Commitment(newMaster.Span, draft);
            ring.Wrap(newMaster.Span, draft);
            Commit(draft, ring, writer);
            (masterKey, newMaster) = (newMaster, masterKey!);
        }
        finally
        {
            newMaster.Dispose();
        }
    }

    /// <summary>Re-seals every version under a new random data key and commits that as one generation.</summary>
    /// <exception cref="KeyStoreDamagedException">An entry does not decrypt under the old key.</exception>
    internal void RotateDataKey(IKeyStoreWriter? writer)
    {
        var newRing = KeyRing.CreateRandom(binding);
        try
        {
            // A new state, so written as the current format version: wrapped below with that version in its associated data.
            var rotated = KeyStoreChanges.Reencrypt(State, ring, newRing);
            if (masterKey is not null)
            {
                newRing.Wrap(masterKey.Span, rotated);
            }

            Commit(rotated, newRing, writer);
            (ring, newRing) = (newRing, ring);
        }
        finally
        {
            newRing.Dispose();
        }
    }

    /// <summary>Zeroes and frees the key ring and master key, and forgets the entries.</summary>
    public void Dispose()
    {
        ring.Dispose();
        masterKey?.Dispose();
        State.Entries = new([]);
    }

    private static KeyRing Authenticate(string location, KeyStoreBinding binding, byte[] image, KeyStoreState state, ReadOnlySpan<byte> master, Func<string, KeyStoreCredentialException> wrongCredential)
    {
        if (!CryptographicOperations.FixedTimeEquals(KeyRing.Commitment(master, state), state.Commitment))
        {
            throw wrongCredential(location);
        }

        var ring = KeyRing.Unwrap(master, state, binding) ?? throw Error.KeyStoreDamaged("the wrapped data key does not decrypt");
        if (!KeyStoreFormat.MacMatches(image, ring.MacKey(state.FormatVersion)))
        {
            ring.Dispose();
            throw state.FormatVersion == KeyStoreFormat.UnboundFormatVersion
                ? Error.KeyStoreDamaged("the whole-file MAC does not match (entries were changed, removed, reordered or swapped)")
                : Error.KeyStoreMacMismatch(binding.Description);
        }

        return ring;
    }

    /// <summary>
    /// Commits <paramref name="next"/> as the next generation: written to the backend (if any) first, then made the live state.
    /// </summary>
    private void Commit(KeyStoreState next, KeyRing macRing, IKeyStoreWriter? writer)
    {
        var image = SealNext(next, macRing, sealImage: writer is not null);
        writer?.Commit(image);
        Adopt(new PreparedCommit(next, image, []));
    }

    /// <summary>
    /// Makes <paramref name="next"/> the next generation and, for a storage with a backend, returns its image, written
    /// into the write buffer (an in-memory storage has no image: it gets an empty one).
    /// A version 1 state is written as version 2 (the migration): the data key is wrapped again, since the wrap's
    /// associated data holds the format version, and the MAC is then bound to the store's place.
    /// </summary>
    private ReadOnlyMemory<byte> SealNext(KeyStoreState next, KeyRing macRing, bool sealImage)
    {
        next.Generation = State.Generation + 1;
        if (next.FormatVersion != KeyStoreFormat.FormatVersion && masterKey is not null)
        {
            next.FormatVersion = KeyStoreFormat.FormatVersion;
            macRing.Wrap(masterKey.Span, next);
        }

        if (!sealImage)
        {
            return default;
        }

        currentImage = default; // it may be the write buffer, which the next image overwrites
        return KeyStoreFormat.Serialize(next, macRing.MacKey(next.FormatVersion), ref writeBuffer);
    }
}
