using System.Security.Cryptography;

namespace Ama.Cli.Encryption;

/// <summary>
/// An output file written under a temporary name in the same directory, created 0600 with O_EXCL,
/// and renamed to its name only by <see cref="Commit"/>: until then (a tampered input, an error,
/// Ctrl-C) nothing appears at the output path, and disposing without a commit deletes the temporary file.
/// </summary>
internal sealed class StagedOutput : IDisposable
{
    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private readonly string path;
    private readonly string temp;
    private readonly bool force;
    private bool committed;

    private StagedOutput(string path, bool force)
    {
        this.path = path;
        this.force = force;
        temp = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(path))!, $".{Path.GetFileName(path)}.{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6))}.tmp");
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None, BufferSize = 0 };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = OwnerOnly;
        }

        // Registered before it exists, so a signal between the two cannot leave it behind.
        StagedFiles.Add(temp);
        try
        {
            Stream = new FileStream(temp, options);
        }
        catch
        {
            StagedFiles.Remove(temp);
            throw;
        }
    }

    internal FileStream Stream { get; }

    internal static StagedOutput Create(string path, bool force) => new(path, force);

    /// <summary>Flushes the file to disk and renames it to the output path; without --force an existing file there is never replaced.</summary>
    internal void Commit()
    {
        Stream.Flush(flushToDisk: true);
        Stream.Dispose();
        try
        {
            File.Move(temp, path, overwrite: force);
        }
        catch (IOException) when (!force && File.Exists(path))
        {
            throw new CliException($"'{path}' already exists; ama does not overwrite it without --force.", ExitCodes.AlreadyExists);
        }

        committed = true;
        StagedFiles.Remove(temp);
    }

    public void Dispose()
    {
        Stream.Dispose();
        if (!committed)
        {
            StagedFiles.TryDelete(temp);
            StagedFiles.Remove(temp);
        }
    }
}
