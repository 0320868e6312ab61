using Ama.Cryptography.Interop;
using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Ama.Cryptography.KeyManagement;

/// <summary>
/// The file system side of a key store: whole-file reads, the writers' lock, and the atomic
/// replace (temp file created 0600 with the replaced file's owner, fsync, rename, fsync of the directory).
/// </summary>
internal static partial class KeyStoreFile
{
    internal static readonly TimeSpan LockTimeout = TimeSpan.FromSeconds(30);

    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    internal static string LockPath(string path) => path + ".lock";

    /// <summary>Reads the whole file, without a lock: commits are atomic renames. Refuses anything but a regular file.</summary>
    internal static byte[] Read(string path)
    {
        using var handle = KeyStorePath.OpenRegularFileForReading(path);
        long length = RandomAccess.GetLength(handle);
        if (length > KeyStoreFormat.MaxFileLength)
        {
            throw Error.KeyStoreDamaged("the file is larger than a key store can be");
        }

        var bytes = new byte[length];
        int total = 0;
        int read;
        while (total < bytes.Length && (read = RandomAccess.Read(handle, bytes.AsSpan(total), total)) > 0)
        {
            total += read;
        }

        // A file that shrank while it was read is cut short here, and the checksum then reports it.
        return total == bytes.Length ? bytes : bytes[..total];
    }

    /// <summary>
    /// Whether the file is still the image with <paramref name="trailer"/>: the same trailer, and a
    /// checksum that matches its bytes, hashed 1 MiB at a time so the file is never held whole
    /// (an edit that kept the trailer is then read whole, and found damaged, as before).
    /// </summary>
    internal static bool IsUnchanged(string path, ReadOnlySpan<byte> trailer)
    {
        if (trailer.Length != KeyStoreFormat.TrailerLength)
        {
            return false;
        }

        using var handle = KeyStorePath.OpenRegularFileForReading(path);
        long length = RandomAccess.GetLength(handle);
        if (length < KeyStoreFormat.HeaderLength + KeyStoreFormat.TrailerLength || length > KeyStoreFormat.MaxFileLength)
        {
            return false;
        }

        Span<byte> tail = stackalloc byte[KeyStoreFormat.TrailerLength];
        if (RandomAccess.Read(handle, tail, length - tail.Length) != tail.Length || !tail.SequenceEqual(trailer))
        {
            return false;
        }

        using var sha = System.Security.Cryptography.IncrementalHash.CreateHash(System.Security.Cryptography.HashAlgorithmName.SHA256);
        byte[] chunk = System.Buffers.ArrayPool<byte>.Shared.Rent(1 << 20);
        try
        {
            long hashed = 0;
            long end = length - KeyStoreFormat.ChecksumLength;
            while (hashed < end)
            {
                int read = RandomAccess.Read(handle, chunk.AsSpan(0, (int)Math.Min(chunk.Length, end - hashed)), hashed);
                if (read <= 0)
                {
                    return false;
                }

                sha.AppendData(chunk, 0, read);
                hashed += read;
            }
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(chunk);
        }

        Span<byte> checksum = stackalloc byte[KeyStoreFormat.ChecksumLength];
        sha.GetHashAndReset(checksum);
        return checksum.SequenceEqual(tail[KeyStoreFormat.MacLength..]);
    }

    /// <summary>
    /// Whether the file holds exactly <paramref name="image"/>, compared 1 MiB at a time: cheaper than
    /// <see cref="IsUnchanged"/>'s hash when the caller still has the image.
    /// </summary>
    internal static bool Holds(string path, ReadOnlySpan<byte> image)
    {
        using var handle = KeyStorePath.OpenRegularFileForReading(path);
        if (RandomAccess.GetLength(handle) != image.Length)
        {
            return false;
        }

        byte[] chunk = System.Buffers.ArrayPool<byte>.Shared.Rent(1 << 20);
        try
        {
            int compared = 0;
            while (compared < image.Length)
            {
                int read = RandomAccess.Read(handle, chunk.AsSpan(0, Math.Min(chunk.Length, image.Length - compared)), compared);
                if (read <= 0 || !chunk.AsSpan(0, read).SequenceEqual(image.Slice(compared, read)))
                {
                    return false;
                }

                compared += read;
            }

            return true;
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(chunk);
        }
    }

    /// <summary>
    /// Takes the writers' lock: an exclusive flock on "path.lock" (via FileShare.None), which the
    /// kernel drops when the process dies. The lock file is never deleted, so every writer locks the same inode.
    /// </summary>
    internal static FileStream AcquireLock(string path)
    {
        var deadline = Stopwatch.StartNew();
        int delayMs = 1;
        while (true)
        {
            try
            {
                var lockFile = new FileStream(LockPath(path), CreateOptions(FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None));
                KeyStoreOwnership.TryCopyOwner(path, lockFile.SafeFileHandle);
                return lockFile;
            }
            catch (IOException e) when (e is not FileNotFoundException and not DirectoryNotFoundException && deadline.Elapsed < LockTimeout)
            {
                Thread.Sleep(Random.Shared.Next(delayMs, (2 * delayMs) + 1));
                delayMs = Math.Min(delayMs * 2, 20);
            }
            catch (IOException e) when (e is not FileNotFoundException and not DirectoryNotFoundException)
            {
                throw Error.KeyStoreLockTimeout(path, LockTimeout, e);
            }
        }
    }

    /// <summary>Replaces <paramref name="path"/> with <paramref name="contents"/> so that a reader or a crash sees the old file or the new one, never a mix.</summary>
    internal static void WriteAtomically(string path, ReadOnlySpan<byte> contents)
    {
        string directory = Path.GetDirectoryName(path)!;
        string temp = KeyStoreTempFiles.NewPath(path);
        try
        {
            using (var stream = new FileStream(temp, CreateOptions(FileMode.CreateNew, FileAccess.Write, FileShare.None)))
            {
                KeyStoreOwnership.CopyOwner(path, stream.SafeFileHandle);
                stream.Write(contents);
                stream.Flush(flushToDisk: true);
            }

            File.Move(temp, path, overwrite: true);
        }
        catch
        {
            TryDelete(temp);
            throw;
        }

        SyncDirectory(directory);
    }

    /// <summary>Removes temp files left by writers that died; only called under the lock, when no other writer can own one.</summary>
    internal static void RemoveOrphanedTempFiles(string path)
    {
        foreach (string temp in KeyStoreTempFiles.Existing(path))
        {
            TryDelete(temp);
        }
    }

    private static FileStreamOptions CreateOptions(FileMode mode, FileAccess access, FileShare share)
    {
        var options = new FileStreamOptions { Mode = mode, Access = access, Share = share, BufferSize = 0 };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = OwnerOnly;
        }

        return options;
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    /// <summary>Makes the rename durable: without it, a power loss may bring back the old directory entry.</summary>
    private static void SyncDirectory(string directory)
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        const int ReadOnly = 0; // O_RDONLY: enough to fsync a directory, and the same value on every Unix
        int fd = Libc.Open(directory, ReadOnly);
        if (fd < 0)
        {
            throw Error.KeyStoreSyncFailed(directory, Marshal.GetLastPInvokeError());
        }

        try
        {
            if (Libc.Fsync(fd) != 0)
            {
                throw Error.KeyStoreSyncFailed(directory, Marshal.GetLastPInvokeError());
            }
        }
        finally
        {
            _ = Libc.Close(fd);
        }
    }
}
