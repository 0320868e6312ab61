namespace Ama.Cryptography.Hosting.Internal;

/// <summary>
/// The file a key store path stands for. The key store follows a symbolic link, also one whose
/// target does not exist yet, and creates the store there; so whether the store exists, and in
/// which directory it will be created, is decided by the link's final target, not by the link.
/// </summary>
internal static class StorePath
{
    /// <summary>The final target of a symbolic link at <paramref name="fullPath"/>, or the path itself.</summary>
    internal static string FinalTarget(string fullPath)
    {
        try
        {
            return new FileInfo(fullPath).LinkTarget is null
                ? fullPath
                : Path.GetFullPath(File.ResolveLinkTarget(fullPath, returnFinalTarget: true)?.FullName ?? fullPath);
        }
        catch (IOException)
        {
            // A link loop: opening the path reports it.
            return fullPath;
        }
    }

    /// <summary>Whether a file or directory stands at the path's final target (a dangling link does not count).</summary>
    internal static bool Exists(string fullPath)
    {
        string target = FinalTarget(fullPath);
        return File.Exists(target) || Directory.Exists(target);
    }

    /// <summary>
    /// The marker that records that a store was created or opened at <paramref name="fullPath"/>:
    /// the store's final target with ".created" appended. It outlives the store file (a delete, a
    /// rename, a restore in progress), so <c>CreateIfMissing</c> can tell a store that never existed
    /// from one that is missing, and never creates a second store where one existed.
    /// </summary>
    internal static string CreatedMarker(string fullPath) => FinalTarget(fullPath) + ".created";

    /// <summary>Writes the marker if it is not there yet. Its content is only for the operator who finds it.</summary>
    internal static void WriteCreatedMarker(string fullPath)
    {
        string marker = CreatedMarker(fullPath);
        if (File.Exists(marker))
        {
            return;
        }

        try
        {
            using var stream = new FileStream(marker, FileMode.CreateNew, FileAccess.Write, FileShare.Read);
            using var writer = new StreamWriter(stream);
            writer.Write(
                "An AMA key store was created at '" + FinalTarget(fullPath) + "'.\n" +
                "While this file is here, a host with CreateIfMissing refuses to create a new, empty store\n" +
                "in its place when the store file is missing: it fails at start-up until the store is restored.\n" +
                "Delete this file only to give up the old store and its keys for good.\n");
        }
        catch (IOException) when (File.Exists(marker))
        {
            // Another host wrote it first.
        }
    }
}
