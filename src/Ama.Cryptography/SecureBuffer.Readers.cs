using System.Buffers;
using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using Ama.Cryptography.Interop;
using Microsoft.Win32.SafeHandles;

namespace Ama.Cryptography;

/// <summary>
/// Readers that bring a key into secure memory through no managed buffer: bytes go from the
/// stream, file or text straight into a <see cref="SecureBuffer"/>'s span. A buffer that must grow
/// is copied into a bigger secure buffer and the old one disposed (zeroed), so no key byte is left
/// in a managed array, a <see cref="FileStream"/> buffer or a string.
/// </summary>
public sealed partial class SecureBuffer
{
    /// <summary>The first buffer of a stream whose length is unknown; it doubles from there.</summary>
    private const int InitialReadCapacity = 4096;

    /// <summary>Mode bits 0070: the group may read, write or execute.</summary>
    private const int GroupBits = 0b000_111_000;

    /// <summary>Mode bits 0007: other users may read, write or execute.</summary>
    private const int OtherBits = 0b000_000_111;

    /// <summary>The longest credential name systemd accepts (NAME_MAX).</summary>
    private const int MaxCredentialNameBytes = 255;

    /// <summary>The white space the text decoders skip: space, tab, CR, LF.</summary>
    private static readonly SearchValues<byte> WhiteSpace = SearchValues.Create(" \t\r\n"u8);

    /// <summary>Reads one chunk at <paramref name="offset"/> into <paramref name="destination"/>; 0 at the end.</summary>
    private delegate int ChunkReader(Span<byte> destination, long offset);

    /// <summary>
    /// Reads <paramref name="stream"/> to its end into secure memory. The bytes go straight from
    /// <see cref="Stream.Read(Span{byte})"/> into secure memory. A <see cref="FileStream"/> keeps its
    /// own managed buffer unless opened with <c>bufferSize: 0</c>; prefer <see cref="ReadFile"/> for files.
    /// </summary>
    /// <param name="stream">The stream, read from its current position to its end; not disposed.</param>
    /// <param name="maxLength">The most bytes accepted, from 0 to <see cref="MaxLength"/>.</param>
    /// <returns>A buffer of exactly the bytes read; the caller disposes it.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="stream"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="stream"/> cannot be read.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxLength"/> is negative or larger than <see cref="MaxLength"/>.</exception>
    /// <exception cref="InvalidDataException">The stream holds more than <paramref name="maxLength"/> bytes; every buffer read into has been zeroed.</exception>
    public static SecureBuffer ReadFrom(Stream stream, int maxLength)
    {
        ArgumentNullException.ThrowIfNull(stream);
        CheckedMaxLength(nameof(maxLength), maxLength);
        if (!stream.CanRead)
        {
            throw Error.StreamNotReadable(nameof(stream));
        }

        long hint = stream.CanSeek ? stream.Length - stream.Position : InitialReadCapacity;
        return ReadAll((destination, _) => stream.Read(destination), hint, maxLength, trimNewline: false, "The stream");
    }

    /// <summary>
    /// Reads a key file into secure memory, after checking on the opened file that it is a regular
    /// file (a symbolic link is judged by its target; a FIFO, device or directory is refused without
    /// waiting) that only its owner may access. Reads go straight into secure memory
    /// (<see cref="RandomAccess"/>, no <see cref="FileStream"/> buffer). A file that grows while it is
    /// read is read to its end, up to <see cref="SecureFileOptions.MaxLength"/>.
    /// </summary>
    /// <param name="path">The file.</param>
    /// <param name="options">The checks and limits; <see cref="SecureFileOptions.Default"/> when null.</param>
    /// <returns>The file's bytes, one trailing newline left out unless <see cref="SecureFileOptions.TrimTrailingNewline"/> is false; the caller disposes it.</returns>
    /// <exception cref="ArgumentException"><paramref name="path"/> is null or empty.</exception>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="UnauthorizedAccessException">The file may be accessed by its group or other users (the message names the path and the mode) and the options do not allow it, or the OS denied access.</exception>
    /// <exception cref="IOException">The path names a FIFO, a device, a socket or a directory, or reading failed.</exception>
    /// <exception cref="InvalidDataException">The file holds more than <see cref="SecureFileOptions.MaxLength"/> bytes; nothing was kept.</exception>
    public static SecureBuffer ReadFile(string path, SecureFileOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        options ??= SecureFileOptions.Default;
        using SafeFileHandle handle = OpenKeyFile(path, options);
        return ReadAll(
            (destination, offset) => RandomAccess.Read(handle, destination, offset),
            RandomAccess.GetLength(handle),
            options.MaxLength,
            options.TrimTrailingNewline,
            string.Create(System.Globalization.CultureInfo.InvariantCulture, $"The file '{path}'"));
    }

    /// <summary>
    /// Reads the systemd credential <paramref name="name"/> (<c>LoadCredential=</c>,
    /// <c>LoadCredentialEncrypted=</c>, <c>SetCredential=</c>) from <c>$CREDENTIALS_DIRECTORY</c>,
    /// with the checks of <see cref="ReadFile"/> and its default options: owner-only, at most
    /// 1 MiB, one trailing newline left out (set by <c>echo</c> or an editor; for a binary
    /// credential whose last byte may be 0x0A, use <see cref="ReadFile"/> with
    /// <see cref="SecureFileOptions.TrimTrailingNewline"/> false).
    /// </summary>
    /// <param name="name">The credential's name: a file name, not a path.</param>
    /// <returns>The credential's bytes; the caller disposes it.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="name"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="name"/> is not a valid file name (empty, <c>.</c>, <c>..</c>, or holds <c>/</c>).</exception>
    /// <exception cref="InvalidOperationException"><c>CREDENTIALS_DIRECTORY</c> is not set.</exception>
    /// <exception cref="FileNotFoundException">The credential is not in the directory.</exception>
    /// <exception cref="UnauthorizedAccessException">See <see cref="ReadFile"/>.</exception>
    /// <exception cref="IOException">See <see cref="ReadFile"/>.</exception>
    /// <exception cref="InvalidDataException">See <see cref="ReadFile"/>.</exception>
    public static SecureBuffer ReadCredential(string name) => ReadCredential(name, options: null, out _);

    /// <summary>
    /// <see cref="ReadCredential(string)"/> with other options, such as a raw key's (no newline trimmed);
    /// <paramref name="path"/> is the file read, for messages.
    /// </summary>
    internal static SecureBuffer ReadCredential(string name, SecureFileOptions? options, out string path)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (!IsCredentialName(name))
        {
            throw Error.CredentialNameInvalid(nameof(name));
        }

        string? directory = Environment.GetEnvironmentVariable("CREDENTIALS_DIRECTORY");
        if (string.IsNullOrEmpty(directory))
        {
            throw Error.CredentialsDirectoryUnset();
        }

        path = Path.Combine(directory, name);
        try
        {
            return ReadFile(path, options);
        }
        catch (FileNotFoundException)
        {
            throw Error.CredentialMissing(name, directory, path);
        }
    }

    /// <summary>
    /// Decodes base64 (RFC 4648, standard alphabet, with padding) into secure memory, with no managed
    /// intermediate. White space anywhere (spaces, tabs, line breaks of wrapped base64, a trailing
    /// newline) is ignored. The source is typically a <see cref="SecureBuffer"/> read from a file.
    /// </summary>
    /// <param name="utf8">The base64 text as UTF-8 (ASCII) bytes.</param>
    /// <returns>The decoded bytes; the caller disposes it.</returns>
    /// <exception cref="FormatException">The text is not valid base64; the message quotes none of it.</exception>
    public static SecureBuffer FromBase64(ReadOnlySpan<byte> utf8)
    {
        if (!Base64.IsValid(utf8, out int length))
        {
            throw Error.NotBase64();
        }

        var buffer = new SecureBuffer(length);
        try
        {
            OperationStatus status = Base64.DecodeFromUtf8(utf8, buffer.Span, out _, out int written);
            return status == OperationStatus.Done && written == length ? buffer : throw Error.NotBase64();
        }
        catch
        {
            buffer.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Decodes hexadecimal (upper or lower case) into secure memory, with no managed intermediate.
    /// White space (spaces, tabs, line breaks, as <c>xxd -p</c> wraps its output) is allowed between
    /// pairs of digits and around the text, not inside a pair.
    /// </summary>
    /// <param name="utf8">The hexadecimal text as UTF-8 (ASCII) bytes.</param>
    /// <returns>The decoded bytes; the caller disposes it.</returns>
    /// <exception cref="FormatException">The text is not valid hexadecimal; the message quotes none of it.</exception>
    public static SecureBuffer FromHex(ReadOnlySpan<byte> utf8)
    {
        int length = HexLength(utf8);
        var buffer = new SecureBuffer(length);
        try
        {
            DecodeHex(utf8, buffer.Span);
            return buffer;
        }
        catch
        {
            buffer.Dispose();
            throw;
        }
    }

    internal static int CheckedMaxLength(string paramName, int value) => value switch
    {
        < 0 => throw Error.NegativeSize(paramName, value),
        > MaxLength => throw Error.SizeTooLarge(paramName, value, MaxLength),
        _ => value,
    };

    private static SafeFileHandle OpenKeyFile(string path, SecureFileOptions options)
    {
        RegularFile.Opened opened = RegularFile.Open(path);
        SafeFileHandle handle = opened switch
        {
            { Handle: { } h } => h,
            { NotRegularKind: { } kind } => throw Error.ReadFileNotRegular(path, kind),
            _ => throw Error.ReadFileOpenFailed(path, opened.Errno),
        };

        if (ModeProblem(path, opened.Permissions, options) is { } problem)
        {
            handle.Dispose();
            throw problem;
        }

        return handle;
    }

    /// <summary>Group access is checked first: a 0644 file names the option the group needs, then the one others need.</summary>
    private static UnauthorizedAccessException? ModeProblem(string path, int mode, SecureFileOptions options)
    {
        if (OperatingSystem.IsWindows())
        {
            return null;
        }

        if ((mode & GroupBits) != 0 && !options.AllowGroupReadable)
        {
            return Error.ReadFileOpenToOthers(path, mode, "its group", nameof(SecureFileOptions.AllowGroupReadable));
        }

        return (mode & OtherBits) != 0 && !options.AllowWorldReadable
            ? Error.ReadFileOpenToOthers(path, mode, "all users", nameof(SecureFileOptions.AllowWorldReadable))
            : null;
    }

    /// <summary>
    /// Reads to the end into a secure buffer that starts at the expected length and doubles, never
    /// past <paramref name="maxLength"/>. Once the buffer holds <paramref name="maxLength"/> bytes a
    /// one-byte probe tells the end apart from more data; the probe byte lies beyond the limit, is
    /// zeroed, and the read fails. Every buffer is disposed on failure.
    /// </summary>
    private static SecureBuffer ReadAll(ChunkReader read, long expected, int maxLength, bool trimNewline, string what)
    {
        // Room for the expected bytes and one more, to see the end without growing; never past maxLength (0 allows only the probe).
        var buffer = new SecureBuffer((int)Math.Min(Math.Max(expected + 1, 1), maxLength));
        try
        {
            int total = 0;
            while (true)
            {
                if (total == buffer.Length)
                {
                    if (total >= maxLength)
                    {
                        if (!AtEnd(read, total))
                        {
                            throw Error.InputTooLong(what, maxLength);
                        }

                        break;
                    }

                    buffer = Grow(buffer, total, maxLength);
                }

                int count = read(buffer.Span[total..], total);
                if (count == 0)
                {
                    break;
                }

                total += count;
            }

            return Exact(buffer, trimNewline ? WithoutTrailingNewline(buffer.Span[..total]) : total);
        }
        catch
        {
            buffer.Dispose();
            throw;
        }
    }

    private static bool AtEnd(ChunkReader read, int offset)
    {
        Span<byte> probe = stackalloc byte[1];
        try
        {
            return read(probe, offset) == 0;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(probe);
        }
    }

    /// <summary>A bigger secure buffer with the first <paramref name="used"/> bytes; the old one is disposed (zeroed).</summary>
    private static SecureBuffer Grow(SecureBuffer buffer, int used, int maxLength)
    {
        var bigger = new SecureBuffer((int)Math.Min((long)used * 2, maxLength));
        buffer.Span[..used].CopyTo(bigger.Span);
        buffer.Dispose();
        return bigger;
    }

    /// <summary>The buffer itself when it has exactly <paramref name="length"/> bytes, otherwise a copy of that many; the old one is disposed (zeroed).</summary>
    private static SecureBuffer Exact(SecureBuffer buffer, int length)
    {
        if (length == buffer.Length)
        {
            return buffer;
        }

        var exact = new SecureBuffer(length);
        buffer.Span[..length].CopyTo(exact.Span);
        buffer.Dispose();
        return exact;
    }

    private static int WithoutTrailingNewline(ReadOnlySpan<byte> bytes) => bytes switch
    {
        [.., (byte)'\r', (byte)'\n'] => bytes.Length - 2,
        [.., (byte)'\n'] => bytes.Length - 1,
        _ => bytes.Length,
    };

    private static bool IsCredentialName(string name) =>
        name.Length > 0
        && name is not "." and not ".."
        && name.IndexOfAny(['/', '\0']) < 0
        && Encoding.UTF8.GetByteCount(name) <= MaxCredentialNameBytes;

    private static bool IsWhiteSpace(byte b) => WhiteSpace.Contains(b);

    /// <summary>The decoded length, after checking every run of digits between white space has even length and only hex digits.</summary>
    private static int HexLength(ReadOnlySpan<byte> utf8)
    {
        int digits = 0;
        int run = 0;
        foreach (byte b in utf8)
        {
            if (IsWhiteSpace(b))
            {
                run = (run % 2 == 0) ? 0 : throw Error.NotHex();
            }
            else if (char.IsAsciiHexDigit((char)b))
            {
                run++;
                digits++;
            }
            else
            {
                throw Error.NotHex();
            }
        }

        return run % 2 == 0 ? digits / 2 : throw Error.NotHex();
    }

    /// <summary>Decodes each run of digits between white space into the next bytes of <paramref name="destination"/>.</summary>
    private static void DecodeHex(ReadOnlySpan<byte> utf8, Span<byte> destination)
    {
        int written = 0;
        while (!utf8.IsEmpty)
        {
            int start = utf8.IndexOfAnyExcept(WhiteSpace);
            if (start < 0)
            {
                break;
            }

            utf8 = utf8[start..];
            int end = utf8.IndexOfAny(WhiteSpace);
            ReadOnlySpan<byte> run = end < 0 ? utf8 : utf8[..end];
            OperationStatus status = Convert.FromHexString(run, destination[written..], out _, out int count);
            if (status != OperationStatus.Done)
            {
                throw Error.NotHex();
            }

            written += count;
            utf8 = utf8[run.Length..];
        }
    }
}
