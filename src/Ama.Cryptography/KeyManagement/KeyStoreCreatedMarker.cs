namespace Ama.Cryptography.KeyManagement;

/// <summary>
/// The "&lt;store&gt;.created" marker beside a key store file's final target (docs/design.md,
/// "CreateIfMissing never creates a second store where one existed"): it outlives the store file,
/// so <see cref="SecureKeyStorage.OpenOrCreate"/> can tell a store that never existed from one
/// that is missing. The hosting package writes and reads the same file; only its existence counts.
/// </summary>
internal static class KeyStoreCreatedMarker
{
    /// <summary>The marker of the store at <paramref name="fullPath"/>: its final target with ".created" appended.</summary>
    internal static string For(string fullPath) => KeyStorePath.WriteTarget(fullPath) + ".created";

    /// <summary>Refuses to create a store where the marker says one existed and the store is gone.</summary>
    /// <remarks>
    /// The marker first, then the store: a creator writes its marker only after its store, so a marker
    /// seen here means a store existed before this check, and a store created by a racing creator in
    /// the meantime is found by the second check instead of being taken for a missing one.
    /// </remarks>
    /// <exception cref="KeyStoreException">The marker is there and the store is not.</exception>
    internal static void ThrowIfStoreExisted(string fullPath)
    {
        string marker = For(fullPath);
        if (File.Exists(marker) && !KeyStorePath.AnythingAt(KeyStorePath.WriteTarget(fullPath)))
        {
            throw Error.KeyStoreMissingAfterCreation(KeyStorePath.WriteTarget(fullPath), marker);
        }
    }

    /// <summary>Writes the marker if it is not there yet; its content is only for the operator who finds it.</summary>
    internal static void Write(string fullPath)
    {
        string marker = For(fullPath);
        if (File.Exists(marker))
        {
            return;
        }

        try
        {
            using var stream = new FileStream(marker, FileMode.CreateNew, FileAccess.Write, FileShare.Read);
            using var writer = new StreamWriter(stream);
            writer.Write(
                "An AMA key store was created at '" + KeyStorePath.WriteTarget(fullPath) + "'.\n" +
                "While this file is here, a host with CreateIfMissing (and SecureKeyStorage.OpenOrCreate) refuses to\n" +
                "create a new, empty store in its place when the store file is missing, until the store is restored.\n" +
                "Delete this file only to give up the old store and its keys for good.\n");
        }
        catch (IOException) when (File.Exists(marker))
        {
            // Another process wrote it first.
        }
    }
}
