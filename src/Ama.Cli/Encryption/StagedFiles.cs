namespace Ama.Cli.Encryption;

/// <summary>
/// The temporary files that <c>encrypt</c> and <c>decrypt</c> write before renaming them into place.
/// SIGINT and SIGTERM delete them before the process exits, so an interrupted run leaves nothing
/// half-written behind; the rename itself runs as an irreversible step, which a signal waits for.
/// </summary>
internal static class StagedFiles
{
    private static readonly Lock Gate = new();
    private static readonly HashSet<string> Paths = [];

    internal static void Add(string path)
    {
        lock (Gate)
        {
            Paths.Add(path);
        }
    }

    internal static void Remove(string path)
    {
        lock (Gate)
        {
            Paths.Remove(path);
        }
    }

    /// <summary>Deletes every staged file; run by the signal handlers before they exit.</summary>
    internal static void DeleteAll()
    {
        lock (Gate)
        {
            foreach (string path in Paths)
            {
                TryDelete(path);
            }

            Paths.Clear();
        }
    }

    internal static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
            // The process is failing or exiting already; the name of the file is in the error path only.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
