using System.Security.Cryptography;
using Microsoft.Win32.SafeHandles;

namespace Ama.Cli.Encryption;

/// <summary>
/// An output file that gets its name only in <see cref="Commit"/>: until then (a tampered input, an error, a
/// signal, even SIGKILL) nothing appears at the output path. On Linux it is an unnamed O_TMPFILE file in the
/// output's directory, linked to its name on commit, so a killed process leaves nothing behind. Where that is not
/// supported, it is a temporary file beside the output, created 0600 with O_EXCL, renamed on commit and deleted
/// on dispose or by the SIGINT/SIGTERM handlers (SIGKILL leaves that one behind).
/// </summary>
internal sealed class StagedOutput : IDisposable
{
    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const int LinkAttempts = 3;

    // At most 3 UTF-8 bytes per UTF-16 char: 64 chars and ".", ".RANDOM.tmp" stay well under 255 bytes.
    private const int TempNameChars = 64;
    private readonly string path;
    private readonly bool force;
    private readonly SafeFileHandle? unnamed;
    private readonly OutputFileStream file;
    private string? temp;
    private bool committed;

    private StagedOutput(string path, bool force)
    {
        this.path = path;
        this.force = force;
        unnamed = UnnamedFile.TryCreate(Path.GetDirectoryName(Path.GetFullPath(path))!);
        file = new OutputFileStream(unnamed is null ? CreateNamed() : new FileStream(unnamed, FileAccess.Write, bufferSize: 0), path);
    }

    internal Stream Stream => file;

    internal static StagedOutput Create(string path, bool force) => new(path, force);

    /// <summary>Flushes the file to disk and gives it the output path; without --force an existing file there is never replaced.</summary>
    internal void Commit()
    {
        file.FlushToDisk(toDisk: true);
        if (unnamed is not null && !force)
        {
            // linkat never replaces a name, so an output created meanwhile by someone else is kept.
            if (!UnnamedFile.TryLink(unnamed, path, path))
            {
                throw EncryptionErrors.OutputExists(path);
            }

            committed = true;
            Stream.Dispose();
            return;
        }

        if (unnamed is not null)
        {
            // --force: named beside the output first, then renamed over it in one step.
            LinkToTemp(unnamed);
        }

        Stream.Dispose();
        try
        {
            File.Move(temp!, path, overwrite: force);
        }
        catch (IOException) when (!force && File.Exists(path))
        {
            throw EncryptionErrors.OutputExists(path);
        }

        committed = true;
        StagedFiles.Remove(temp!);
    }

    public void Dispose()
    {
        Stream.Dispose();
        if (!committed && temp is not null)
        {
            StagedFiles.TryDelete(temp);
            StagedFiles.Remove(temp);
        }
    }

    /// <summary>".NAME.RANDOM.tmp" beside the output; a long NAME is cut, so the temporary name stays within the 255 bytes a file name may have.</summary>
    private string NewTempName()
    {
        string name = Path.GetFileName(path);
        int keep = Math.Min(name.Length, TempNameChars);
        if (keep > 0 && char.IsHighSurrogate(name[keep - 1]))
        {
            keep--;
        }

        return Path.Combine(Path.GetDirectoryName(Path.GetFullPath(path))!, $".{name[..keep]}.{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6))}.tmp");
    }

    private FileStream CreateNamed()
    {
        temp = NewTempName();
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None, BufferSize = 0 };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = OwnerOnly;
        }

        // Registered before it exists, so a signal between the two cannot leave it behind.
        StagedFiles.Add(temp);
        try
        {
            return new FileStream(temp, options);
        }
        catch
        {
            StagedFiles.Remove(temp);
            temp = null;
            throw;
        }
    }

    private void LinkToTemp(SafeFileHandle file)
    {
        for (int attempt = 0; attempt < LinkAttempts; attempt++)
        {
            string name = NewTempName();
            StagedFiles.Add(name);
            bool linked = false;
            try
            {
                linked = UnnamedFile.TryLink(file, name, path);
            }
            finally
            {
                if (!linked)
                {
                    // Not ours (another file has that random name) or never made: never to be deleted.
                    StagedFiles.Remove(name);
                }
            }

            if (linked)
            {
                temp = name;
                return;
            }
        }

        throw EncryptionErrors.OutputFailed(path, "every temporary name tried beside it already exists");
    }
}
