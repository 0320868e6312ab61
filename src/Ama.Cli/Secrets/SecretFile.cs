using System.Security.Cryptography;
using Ama.Cli.Interop;

namespace Ama.Cli.Secrets;

/// <summary>
/// <c>get --output PATH</c>: the secret goes only into a file that is created 0600, never into a
/// file made by a shell redirect with the umask's mode. Without --force the file is created with
/// O_EXCL, so an existing file (or a planted symlink) is never written through.
/// </summary>
internal static class SecretFile
{
    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>The cheap checks, made before any password is asked for.</summary>
    internal static void CheckTarget(string path, bool force)
    {
        if (path.Length == 0)
        {
            throw CliException.Usage("--output is empty; name the file to write.");
        }

        // .NET decodes a name that is not UTF-8 to U+FFFD: the file would get a different name than the one typed.
        if (path.Contains('\uFFFD', StringComparison.Ordinal))
        {
            throw CliException.Usage($"--output '{path}' is not valid UTF-8 (shown with U+FFFD); ama can only write to file names that are.");
        }

        if (Directory.Exists(path))
        {
            throw CliException.Usage($"--output '{path}' is a directory; name the file to write.");
        }

        if (!force && (File.Exists(path) || IsLink(path)))
        {
            throw new CliException($"'{path}' already exists; ama does not overwrite it without --force.", ExitCodes.AlreadyExists);
        }

        // --force renames a new file over the path: over /dev/null or a FIFO that would replace the device or pipe itself.
        if (force && IsSpecialFile(path))
        {
            throw CliException.Usage($"--output '{path}' is a device, FIFO or socket, which --force would replace with a regular file; redirect stdout to write to it.");
        }

        string directory = Path.GetDirectoryName(Path.GetFullPath(path)) ?? "/";
        if (File.Exists(directory))
        {
            throw CliException.Usage($"'{directory}' is a file, not a directory; --output '{path}' cannot be created in it.");
        }

        if (!Directory.Exists(directory))
        {
            throw CliException.NotFound($"The directory '{directory}' does not exist.");
        }
    }

    internal static void Write(string path, ReadOnlySpan<byte> material, SecretFormat format, bool force)
    {
        if (!force)
        {
            WriteNew(path, material, format);
            return;
        }

        // --force: a fresh 0600 file renamed over the old one, so the old file's mode (or a symlink's target) never matters.
        string temp = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(path))!, $".{Path.GetFileName(path)}.{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6))}.tmp");
        try
        {
            WriteNew(temp, material, format);
            File.Move(temp, path, overwrite: true);
        }
        finally
        {
            File.Delete(temp);
        }
    }

    private static void WriteNew(string path, ReadOnlySpan<byte> material, SecretFormat format)
    {
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None, BufferSize = 0 };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = OwnerOnly;
        }

        FileStream file;
        try
        {
            file = new FileStream(path, options);
        }
        catch (IOException) when (File.Exists(path) || IsLink(path))
        {
            throw new CliException($"'{path}' already exists; ama does not overwrite it without --force.", ExitCodes.AlreadyExists);
        }

        using (file)
        {
            try
            {
                SecretWriter.Write(file, material, format);
                file.Flush(flushToDisk: true);
            }
            catch
            {
                File.Delete(path);
                throw;
            }
        }
    }

    private static bool IsLink(string path) => new FileInfo(path).LinkTarget is not null;

    /// <summary>Whether <paramref name="path"/> (or what a symbolic link there points to) exists and is neither a regular file nor a directory.</summary>
    private static bool IsSpecialFile(string path)
    {
        const uint typeMask = 0x1; // STATX_TYPE
        const int modeOffset = 28; // stx_mode
        const int typeBits = 0xF000; // S_IFMT
        const int regular = 0x8000; // S_IFREG
        const int directory = 0x4000; // S_IFDIR
        if (OperatingSystem.IsWindows())
        {
            return false;
        }

        byte[] buffer = new byte[256];
        try
        {
            if (Libc.Statx(Libc.AtFdCwd, path, 0, typeMask, buffer) != 0)
            {
                return false;
            }
        }
        catch (EntryPointNotFoundException)
        {
            // A C library older than statx (glibc 2.28, musl 1.2.5): the path is taken as a regular file, as before.
            return false;
        }

        int type = BitConverter.ToUInt16(buffer, modeOffset) & typeBits;
        return type is not regular and not directory;
    }
}
