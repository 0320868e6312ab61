using Ama.Cryptography.KeyManagement;

namespace Ama.Cryptography;

/// <summary>The key store's messages; none of them carries key material.</summary>
internal static partial class Error
{
    internal static ArgumentException KeyStoreKeyLength(string paramName, int length) => new(
        Format("The key must be 32 bytes, not {0}.", length), paramName);

    internal static ArgumentException KeyStoreZeroKey(string paramName) => new(
        "The key is all zero bytes; use a random key.", paramName);

    internal static ArgumentException KeyStoreEmptyPassword(string paramName) => new(
        "The password is empty.", paramName);

    internal static ArgumentException KeyStoreInvalidPassword(string paramName, Exception inner) => new(
        "The password is not valid UTF-16 (it has an unpaired surrogate).", paramName, inner);

    internal static string KeyFileSource(string path) => Format("The key file '{0}'", path);

    internal static string PasswordFileSource(string path) => Format("The password file '{0}'", path);

    internal static string CredentialSource(string name, string path) => Format("The systemd credential '{0}' ('{1}')", name, path);

    internal static InvalidDataException KeyStoreKeySourceLength(string source, int length) => new(
        Format("{0} holds {1} bytes; a key store key is exactly {2} raw bytes (no newline is trimmed).", source, length, KeyStoreCredential.KeyLength));

    internal static InvalidDataException KeyStoreKeySourceZero(string source) => new(
        Format("{0} holds a key of all zero bytes; use a random key.", source));

    internal static InvalidDataException KeyStorePasswordSourceEmpty(string source) => new(
        Format("{0} holds an empty password (its first line is empty).", source));

    internal static InvalidDataException KeyStorePasswordSourceNotUtf8(string source) => new(
        Format("{0} is not valid UTF-8 text up to its first line break; a password is read as UTF-8. The password is not quoted.", source));

    internal static ArgumentException KeyStoreInvalidName(string paramName) => new(
        "A key name must be 1 to 128 characters of A-Z, a-z, 0-9, '.', '_' and '-'.", paramName);

    internal static ArgumentException KeyStoreInvalidMetadata() => new(
        "Metadata may hold at most 64 pairs; each key 1 to 128 characters, each value at most 4096 characters, all valid UTF-16.", "metadata");

    internal static ArgumentException KeyStoreKeyTooLong(string paramName, int length) => new(
        Format("Key material of {0} bytes is longer than the 1 MiB a key store entry can hold.", length), paramName);

    internal static ArgumentException KeyStoreInvalidBinding(string paramName) => new(
        "A PostgreSQL store's schema must be 1 to 63 ASCII characters and its name 1 to 128 characters of A-Z, a-z, 0-9, '.', '_' and '-'.", paramName);

    internal static KeyNotFoundException KeyStoreNameNotFound(string name) => new(
        Format("The key store has no key named '{0}'.", name));

    internal static KeyNotFoundException KeyStoreVersionNotFound(string name, int version) => new(
        Format("The key store has no version {1} of the key named '{0}'.", name, version));

    internal static KeyStoreDamagedException KeyStoreDamaged(string reason) => new(
        Format("The key store is damaged: {0}. Restore it from a backup.", reason));

    internal static KeyStoreDamagedException KeyStoreUnknownFormatVersion(ushort version) => KeyStoreDamaged(
        Format("its format version is {0}, and this library reads versions 1 and 2 (a newer library wrote it, or it was altered)", version));

    internal static KeyStoreDamagedException KeyStoreGenerationOutOfRange(ulong generation) => KeyStoreDamaged(
        Format("its generation is {0}, outside the 1 to 2^63 - 1 that a writer produces", generation));

    internal static KeyStoreDamagedException KeyStoreKdfOutOfBounds() => new(
        Format(
            "The key store is damaged: its KDF parameters are outside the accepted bounds (Argon2id {0}-{1} KiB and {2}-{3} passes with one lane, or PBKDF2 {4}-{5} iterations), so it was not opened.",
            KeyStoreKdf.MinArgon2MemoryKiB,
            KeyStoreKdf.MaxArgon2MemoryKiB,
            KeyStoreKdf.MinArgon2Iterations,
            KeyStoreKdf.MaxArgon2Iterations,
            KeyStoreKdf.MinPbkdf2Iterations,
            KeyStoreKdf.MaxPbkdf2Iterations));

    internal static KeyStoreDamagedException KeyStoreMacMismatch(string binding) => KeyStoreDamaged(
        Format("the whole-store MAC does not match: entries were changed, removed, reordered or swapped, or the store was copied, moved or renamed here from another place (its MAC is bound to {0})", binding));

    internal static KeyStoreDamagedException KeyStoreEntryDamaged(string name, int version) => new(
        Format("The key store is damaged: version {1} of '{0}' does not decrypt.", name, version));

    internal static KeyStoreCredentialException KeyStoreWrongCredential(string path) => new(
        Format("The password or key does not open the key store '{0}'. The file was not changed.", path));

    internal static KeyStoreCredentialException KeyStoreCredentialKind(string path, bool filePassword) => new(
        Format("The key store '{0}' opens with {1}, not {2}. The file was not changed.", path, filePassword ? "a password" : "a raw key", filePassword ? "a raw key" : "a password"));

    internal static KeyStoreCredentialException KeyStoreCredentialChanged(string path) => new(
        Format("Another process changed the credential of the key store '{0}'. Open it again with the new credential.", path));

    internal static KeyStoreDamagedException KeyStoreReplaced(string path) => new(
        Format("The key store '{0}' is no longer the store that was opened: its store id changed (another store was copied or moved over it, or it was deleted and created again). Restore it from a backup, or open it again if the new store is meant to be there.", path));

    internal static KeyStoreDamagedException KeyStoreFoundDamaged(string path, KeyStoreDamagedException found) => new(
        Format("This instance found the key store '{0}' damaged and makes no more changes to it and reads it no more; open it again once it is restored. What it found: {1}", path, found.Message),
        found);

    internal static KeyStoreDamagedException KeyStoreRolledBack(string path, ulong seen, ulong found) => new(
        Format("The key store '{0}' was rolled back from generation {1} to {2}.", path, seen, found));

    internal static KeyStoreException KeyStoreLockTimeout(string path, TimeSpan timeout, Exception inner) => new(
        Format("Another writer held the lock on the key store '{0}' for more than {1} s.", path, timeout.TotalSeconds), inner);

    internal static KeyStoreException KeyStoreNonceBudgetExhausted() => new(
        "The data key has encrypted 2^32 entries, the limit for random nonces. Call RotateDataKey.");

    internal static KeyStoreException KeyStoreTooManyVersions(string name) => new(
        Format("The key '{0}' already has 65535 versions; destroy old ones first.", name));

    internal static KeyStoreException KeyStoreSyncFailed(string directory, int errno) => new(
        Format("fsync of the directory '{0}' failed: errno {1} ({2}).", directory, errno, OSErrorText(errno)));

    internal static DirectoryNotFoundException KeyStoreDirectoryMissing(string path, string directory) => new(
        Format("The key store '{0}' cannot be written: its directory '{1}' does not exist. Create the directory first; the store's lock and temporary files are kept beside it.", path, directory));

    internal static InvalidOperationException KeyStoreSerializedLengthMismatch(int written, int expected) => new(
        Format("A defect in Ama.Cryptography: the key store image came to {0} bytes where {1} were computed; nothing was written.", written, expected));

    internal static InvalidOperationException KeyStoreInMemory() => new(
        "This storage lives in memory only; ChangeCredential and Refresh need a key store file (SecureKeyStorage.Create or Open).");

    internal static InvalidOperationException KeyStoreBatchFinished() => new(
        "The batch has already been committed or disposed.");

    internal static IOException KeyStoreExists(string path) => new(
        Format("The key store '{0}' already exists.", path));

    // The same advice as the hosting package's CreateIfMissing message (docs/design.md, "CreateIfMissing never creates a second store where one existed").
    internal static KeyStoreException KeyStoreMissingAfterCreation(string path, string marker) => new(
        Format("The key store file '{0}' is missing, but a key store existed there ('{1}' records its creation), so OpenOrCreate does not create a new, empty one: that would split the hosts that share the store and lose every key in it. Restore '{0}' from a backup (or put back the file that was renamed, or mount the volume that holds it) and try again. Only to give up the old store and its keys for good, delete '{1}'.", path, marker));

    internal static ArgumentException KeyStoreDuplicateMetadataKey(string paramName, string key) => new(
        Format("Metadata has the key '{0}' more than once (keys are compared ordinally); a version keeps one value per key.", key), paramName);

    internal static KeyStoreException KeyStoreNotRegularFile(string path, string kind) => new(
        Format("'{0}' is {1}, not a key store file; a key store must be a regular file (or a symbolic link to one).", path, kind));

    /// <summary>The exception types .NET itself throws for these errno values, so callers keep catching what they caught before.</summary>
    internal static Exception KeyStoreOpenFailed(string path, int errno) => errno switch
    {
        Interop.Libc.ENOENT => new FileNotFoundException(Format("Could not find the key store file '{0}'.", path), path),
        Interop.Libc.ENOTDIR => new DirectoryNotFoundException(Format("Could not find a part of the path '{0}'.", path)),
        Interop.Libc.EACCES or Interop.Libc.EPERM => new UnauthorizedAccessException(Format("Access to the key store file '{0}' is denied: errno {1} ({2}).", path, errno, OSErrorText(errno))),
        _ => new IOException(Format("The key store file '{0}' could not be opened: errno {1} ({2}).", path, errno, OSErrorText(errno))),
    };

    internal static KeyStoreException KeyStoreOwnerNotKept(string path, uint owner, uint group, int errno) => new(
        Format("The key store '{0}' belongs to uid {1}, gid {2}, and this process may not give its new version the same owner (errno {3}: {4}); nothing was written. Write it as its owner.", path, owner, group, errno, OSErrorText(errno)));

    internal static KeyStoreException KeyStoreTooLarge(long length, long limit) => new(
        Format("The change would make the key store file {0} bytes, more than the {1} bytes a key store can hold; nothing was written. Delete keys or destroy old versions first.", length, limit));
}
