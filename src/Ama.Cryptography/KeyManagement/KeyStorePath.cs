using Ama.Cryptography.Interop;
using Microsoft.Win32.SafeHandles;

namespace Ama.Cryptography.KeyManagement;

/// <summary>
/// What may stand at a key store's path. A symbolic link is followed: writes go to the file it
/// finally names (temp file and lock file next to that file), so the link stays a link and its
/// target sees every update. Anything that is not a regular file (a directory, a FIFO, a device)
/// is refused with <see cref="KeyStoreException"/> before a byte is read, so a FIFO cannot make
/// a reader hang.
/// </summary>
internal static class KeyStorePath
{
    /// <summary>The file a write must replace: <paramref name="path"/> itself, or the final target when it is a symbolic link (possibly to a file not created yet).</summary>
    internal static string WriteTarget(string path)
    {
        if (new FileInfo(path).LinkTarget is null)
        {
            return path;
        }

        var target = File.ResolveLinkTarget(path, returnFinalTarget: true);
        return target is null ? path : Path.GetFullPath(target.FullName);
    }

    /// <summary>Whether anything (a file, a directory, a FIFO) has the name.</summary>
    internal static bool AnythingAt(string path) => File.Exists(path) || Directory.Exists(path);

    /// <summary>
    /// Opens the file for reading without taking any lock (commits are atomic renames, so a reader
    /// sees one whole generation), after checking on the open descriptor that it is a regular file.
    /// </summary>
    internal static SafeFileHandle OpenRegularFileForReading(string path)
    {
        RegularFile.Opened opened = RegularFile.Open(path);
        return opened switch
        {
            { Handle: { } handle } => handle,
            { NotRegularKind: { } kind } => throw Error.KeyStoreNotRegularFile(path, kind),
            _ => throw Error.KeyStoreOpenFailed(path, opened.Errno),
        };
    }
}
