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
}
