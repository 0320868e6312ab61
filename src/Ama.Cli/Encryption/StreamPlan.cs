using System.Text;
using Ama.Cli.Secrets;

namespace Ama.Cli.Encryption;

/// <summary>
/// Where <c>encrypt</c> or <c>decrypt</c> reads and writes, checked before any password is asked for:
/// the input file exists, stdin is not wanted twice, <c>decrypt</c> does not wait for ciphertext typed
/// on a terminal, and output never goes to a terminal unless <c>--output -</c> asks for it.
/// </summary>
internal sealed record StreamPlan(string Command, string? InputPath, string? OutputPath, bool Force)
{
    private const int BufferBytes = 64 * 1024;

    /// <summary>NAME_MAX of Linux file systems (ext4, XFS, Btrfs, tmpfs).</summary>
    private const int MaxNameBytes = 255;

    /// <summary>Gets the input as messages name it.</summary>
    internal string InputName => InputPath is null ? "on stdin" : $"'{InputPath}'";

    internal static StreamPlan Check(string command, string? input, string? output, bool force, bool passwordOnStdin)
    {
        string? inputPath = input is null or "-" ? null : input;
        if (inputPath is null && passwordOnStdin)
        {
            throw EncryptionErrors.StdinTwice();
        }

        // Ciphertext is binary and cannot be typed; encrypt from a terminal stays allowed (a note typed in, then Ctrl-D).
        if (inputPath is null && command == "decrypt" && Terminal.StdinIsTerminal)
        {
            throw EncryptionErrors.FromTerminal();
        }

        if (inputPath is null && !StandardStreams.IsUsable(0, forWriting: false))
        {
            throw EncryptionErrors.StdinClosed();
        }

        // "< dir" opens a directory as stdin; its first read would fail with a bare "Is a directory".
        if (inputPath is null && OperatingSystem.IsLinux() && Directory.Exists("/proc/self/fd/0"))
        {
            throw EncryptionErrors.StdinIsDirectory();
        }

        if (inputPath is not null && Directory.Exists(inputPath))
        {
            throw EncryptionErrors.InputIsDirectory(inputPath);
        }

        if (inputPath is not null && !File.Exists(inputPath))
        {
            throw EncryptionErrors.InputMissing(inputPath);
        }

        if (output is null && Terminal.StdoutIsTerminal)
        {
            throw EncryptionErrors.ToTerminal(command);
        }

        string? outputPath = output is null or "-" ? null : output;
        if (outputPath is null && !StandardStreams.IsUsable(1, forWriting: true))
        {
            throw EncryptionErrors.StdoutClosed();
        }

        if (outputPath is not null)
        {
            // Checked now: the output gets its name only after the whole input has been read.
            if (Encoding.UTF8.GetByteCount(Path.GetFileName(outputPath)) > MaxNameBytes)
            {
                throw EncryptionErrors.OutputNameTooLong(MaxNameBytes);
            }

            SecretFile.CheckTarget(outputPath, force);
        }

        return new StreamPlan(command, inputPath, outputPath, force);
    }

    /// <summary>The input's length when it is a regular file (for the progress line), else null.</summary>
    internal long? InputLength => InputPath is null ? null : new FileInfo(InputPath).Length;

    internal Stream OpenInput() => InputPath is null
        ? new BufferedStream(Console.OpenStandardInput(), BufferBytes)
        : new FileStream(InputPath, new FileStreamOptions { Mode = FileMode.Open, Access = FileAccess.Read, Share = FileShare.Read, BufferSize = BufferBytes, Options = FileOptions.SequentialScan });
}
