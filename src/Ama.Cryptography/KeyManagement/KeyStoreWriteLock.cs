namespace Ama.Cryptography.KeyManagement;

/// <summary>
/// The writers' lock of a store, taken on the file a write replaces: for a symbolic link, its
/// final target, so that every path that leads to one file takes the same lock.
/// </summary>
internal sealed class KeyStoreWriteLock : IDisposable
{
    private readonly FileStream lockFile;

    private KeyStoreWriteLock(string target, FileStream lockFile)
    {
        Target = target;
        this.lockFile = lockFile;
    }

    /// <summary>Gets the file that the commit replaces.</summary>
    internal string Target { get; }

    internal static KeyStoreWriteLock Acquire(string path)
    {
        string target = KeyStorePath.WriteTarget(path);
        try
        {
            return new KeyStoreWriteLock(target, KeyStoreFile.AcquireLock(target));
        }
        catch (DirectoryNotFoundException)
        {
            // The runtime's message names the lock file, which the caller never asked for.
            throw Error.KeyStoreDirectoryMissing(path, Path.GetDirectoryName(target) ?? target);
        }
    }

    /// <summary>Writes the new generation: removes temp files that dead writers left, then replaces the target atomically.</summary>
    internal void Replace(ReadOnlySpan<byte> contents)
    {
        KeyStoreFile.RemoveOrphanedTempFiles(Target);
        KeyStoreFile.WriteAtomically(Target, contents);
    }

    public void Dispose() => lockFile.Dispose();
}
