using Ama.Cryptography;

namespace Ama.Cli.Secrets;

/// <summary>Reads secrets from a stream or file straight into a registered <see cref="SecureBuffer"/>, with no managed copy.</summary>
internal static class SecretReader
{
    internal const int MaxPasswordBytes = 4096;

    /// <summary>Reads at most <paramref name="max"/> bytes; more is an error, so a truncated secret is never used.</summary>
    /// <returns>The buffer (registered) and how many bytes of it were read.</returns>
    internal static (SecureBuffer Buffer, int Length) ReadAll(Stream stream, int max, string source)
    {
        SecureBuffer buffer = HeldSecrets.Allocate(max + 1);
        int length = 0;
        int read;
        while ((read = stream.Read(buffer.Span[length..])) > 0)
        {
            length += read;
            if (length > max)
            {
                HeldSecrets.Release(buffer);
                throw CliException.BadInput($"{source} holds more than {max} bytes.");
            }
        }

        return (buffer, length);
    }

    /// <summary>
    /// Reads a file with <see cref="SecureBuffer.ReadFile"/>, the library's key file reader: a FIFO, a
    /// device or a directory is refused without waiting, and so is a file its group or other users
    /// may access (as ssh refuses such a private key). The bytes are taken as they are, no newline trimmed.
    /// </summary>
    internal static (SecureBuffer Buffer, int Length) ReadFile(string path, int max, string what)
    {
        var source = new Source($"The {what} '{path}'", path, max, $"The {what} '{path}' does not exist.");
        SecureBuffer buffer = Guarded(() => SecureBuffer.ReadFile(path, Options(max)), source);
        return (HeldSecrets.Track(buffer), buffer.Length);
    }

    /// <summary>Reads the systemd credential <paramref name="name"/> from $CREDENTIALS_DIRECTORY with the same checks as <see cref="ReadFile"/>.</summary>
    internal static (SecureBuffer Buffer, int Length) ReadCredential(string name, int max, string option)
    {
        string path = Path.Combine(Environment.GetEnvironmentVariable("CREDENTIALS_DIRECTORY") ?? string.Empty, name);
        var source = new Source($"The credential '{name}' ({path})", path, max, NotFound: null);
        SecureBuffer buffer;
        try
        {
            buffer = Guarded(() => SecureBuffer.ReadCredential(name, Options(max), out _), source);
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException)
        {
            // CREDENTIALS_DIRECTORY unset, or a name that is not a file name: the library's message says which.
            throw CliException.Usage($"{option} {name}: {e.Message}");
        }

        return (HeldSecrets.Track(buffer), buffer.Length);
    }

    private static SecureFileOptions Options(int max) => new() { MaxLength = max, TrimTrailingNewline = false };

    /// <summary>Turns the reader's refusals into the tool's exit codes; the messages name the file, never a byte of it.</summary>
    private static SecureBuffer Guarded(Func<SecureBuffer> read, Source source)
    {
        try
        {
            return read();
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw CliException.NotFound(source.NotFound ?? e.Message);
        }
        catch (InvalidDataException)
        {
            throw CliException.BadInput($"{source.What} holds more than {source.Max} bytes.");
        }
        catch (UnauthorizedAccessException) when (OpenToOthers(source.Path) is { } mode)
        {
            throw CliException.BadInput($"{source.What} has mode {mode}, so users other than its owner can read or change it, and the secret with it; ama refuses it, as ssh refuses such a private key. Make it the owner's alone: chmod 600 '{source.Path}'.");
        }
        catch (IOException e) when (e.GetType() == typeof(IOException))
        {
            // A FIFO, a device, a socket or a directory (or a failed read): the reader's message names the path and what it is.
            throw CliException.BadInput(e.Message);
        }
    }

    /// <summary>The mode of the file the path names (a symbolic link followed) as chmod writes it, when its group or others may access it; only to word a refusal the reader made on the opened file.</summary>
    private static string? OpenToOthers(string path)
    {
        if (OperatingSystem.IsWindows() || !File.Exists(path))
        {
            return null;
        }

        UnixFileMode mode = File.GetUnixFileMode(File.ResolveLinkTarget(path, returnFinalTarget: true)?.FullName ?? path);
        return ((int)mode & 0b000_111_111) == 0 ? null : "0" + Convert.ToString((int)mode, 8).PadLeft(3, '0');
    }

    private sealed record Source(string What, string Path, int Max, string? NotFound);

    /// <summary>A password ends at the first line break: `echo pw | ama ...` and files written by editors both work.</summary>
    internal static SecretChars PasswordFrom(SecureBuffer buffer, int length, string source)
    {
        try
        {
            ReadOnlySpan<byte> bytes = buffer.Span[..length];
            int lineEnd = bytes.IndexOfAny((byte)'\n', (byte)'\r');
            if (lineEnd >= 0)
            {
                bytes = bytes[..lineEnd];
            }

            if (bytes.IsEmpty)
            {
                throw CliException.BadInput($"The password from {source} is empty.");
            }

            return SecretChars.FromUtf8(bytes, source);
        }
        finally
        {
            HeldSecrets.Release(buffer);
        }
    }
}
