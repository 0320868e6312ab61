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

    /// <summary>Opens a file unbuffered, so its bytes go only into the secure buffer.</summary>
    internal static (SecureBuffer Buffer, int Length) ReadFile(string path, int max, string what)
    {
        if (!File.Exists(path))
        {
            throw CliException.NotFound($"The {what} '{path}' does not exist.");
        }

        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 0);
        return ReadAll(file, max, $"The {what} '{path}'");
    }

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
