using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using Ama.Cryptography.KeyManagement;

namespace Ama.Cryptography.Hosting.Internal;

/// <summary>
/// Reads the configured credential straight into secure memory. Files are read into a
/// <see cref="SecureBuffer"/>; a password is decoded into a pinned char array that is zeroed
/// before this returns, so no secret is left in a string or in a movable array.
/// </summary>
internal static class CredentialReader
{
    internal const int KeyLength = KeyStoreCredential.KeyLength;

    /// <summary>The largest password file read: far above any password, small enough that a wrong path (a log, a disk image) is refused.</summary>
    internal const int MaxPasswordFileBytes = 64 * 1024;

    /// <summary>Base64 of 32 bytes is 44 characters; a few more are allowed for surrounding white space.</summary>
    internal const int MaxBase64Length = 64;

    /// <summary>Room for the decoding of any base64 text of <see cref="MaxBase64Length"/> characters.</summary>
    internal const int Base64Capacity = MaxBase64Length / 4 * 3;

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Returns a credential from the one source the (validated) options name; the caller disposes it.</summary>
    internal static KeyStoreCredential Read(SecureKeyStorageOptions options, IServiceProvider services)
    {
        if (options.Credential is { } factory)
        {
            return factory(services) ?? throw Error.CredentialFactoryReturnedNull();
        }

        if (!string.IsNullOrEmpty(options.KeyFile))
        {
            return ReadKeyFile(options, Error.OptionName(options, nameof(SecureKeyStorageOptions.KeyFile)), options.KeyFile);
        }

        if (!string.IsNullOrEmpty(options.PasswordFile))
        {
            return ReadPasswordFile(options, Error.OptionName(options, nameof(SecureKeyStorageOptions.PasswordFile)), options.PasswordFile);
        }

        return ReadVariable(Error.OptionName(options, nameof(SecureKeyStorageOptions.KeyEnvironmentVariable)), options.KeyEnvironmentVariable ?? string.Empty);
    }

    private static KeyStoreCredential ReadKeyFile(SecureKeyStorageOptions options, string option, string path)
    {
        using SecureBuffer key = ReadCredentialFile(options, option, path, KeyLength)
            ?? throw Error.CredentialChanged(Error.KeyFileLength(option, path, new FileInfo(path).Length));
        return key.Length == KeyLength
            ? KeyStoreCredential.FromKey(key.Span)
            : throw Error.CredentialChanged(Error.KeyFileLength(option, path, key.Length));
    }

    private static KeyStoreCredential ReadPasswordFile(SecureKeyStorageOptions options, string option, string path)
    {
        KeyStoreKdf kdf = options.Kdf ?? KeyStoreKdf.Default;
        using SecureBuffer bytes = ReadCredentialFile(options, option, path, MaxPasswordFileBytes)
            ?? throw Error.CredentialChanged(Error.PasswordFileLength(option, path, new FileInfo(path).Length, MaxPasswordFileBytes));
        ReadOnlySpan<byte> password = FirstLine(bytes.Span);
        if (password.IsEmpty)
        {
            throw Error.PasswordEmpty(option, path);
        }

        int charCount;
        try
        {
            charCount = StrictUtf8.GetCharCount(password);
        }
        catch (DecoderFallbackException)
        {
            // The exception's message quotes the offending bytes, so it is not passed on.
            throw Error.PasswordNotUtf8(option, path);
        }

        char[] chars = GC.AllocateArray<char>(charCount, pinned: true);
        try
        {
            StrictUtf8.GetChars(password, chars);
            return KeyStoreCredential.FromPassword(chars, kdf);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(MemoryMarshal.AsBytes(chars.AsSpan()));
        }
    }

    /// <summary>
    /// The password is the file's first line, as the <c>ama</c> command reads <c>--password-file</c>:
    /// the same file must give the same password to both, whatever line endings an editor added.
    /// </summary>
    private static ReadOnlySpan<byte> FirstLine(ReadOnlySpan<byte> text)
    {
        int end = text.IndexOfAny((byte)'\n', (byte)'\r');
        return end < 0 ? text : text[..end];
    }

    private static KeyStoreCredential ReadVariable(string option, string variable)
    {
        string? value = Environment.GetEnvironmentVariable(variable);
        Consume(variable);
        Span<byte> decoded = stackalloc byte[Base64Capacity];
        try
        {
            bool isKey = value is { Length: > 0 and <= MaxBase64Length }
                && Convert.TryFromBase64Chars(value.AsSpan().Trim(), decoded, out int written)
                && written == KeyLength;
            return isKey
                ? KeyStoreCredential.FromKey(decoded[..KeyLength])
                : throw Error.CredentialChanged(Error.VariableNotKey(option, variable));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(decoded);
        }
    }

    /// <summary>
    /// The key is read once: its value is zeroed in the block /proc/PID/environ shows, and the
    /// variable is removed from the process's environment, so processes the app starts do not
    /// inherit it either. The string .NET returned, and the runtime's own copy of the environment,
    /// stay in memory until reused (docs/aspnetcore.md says where).
    /// </summary>
    private static void Consume(string variable)
    {
        InitialEnvironment.EraseValue(variable);
        Environment.SetEnvironmentVariable(variable, null);
    }

    /// <summary>
    /// Reads the file into secure memory with <see cref="SecureBuffer.ReadFile"/>, which refuses a
    /// FIFO, a device or a file others may access on the handle it reads from. Null when the file
    /// holds more than <paramref name="max"/> bytes. The file is read as it is (no newline trimmed):
    /// a key file is raw bytes, and a password is the first line.
    /// </summary>
    private static SecureBuffer? ReadCredentialFile(SecureKeyStorageOptions options, string option, string path, int max)
    {
        bool allowOthers = options.AllowGroupOrWorldReadableCredentialFiles;
        var fileOptions = new SecureFileOptions { MaxLength = max, TrimTrailingNewline = false, AllowGroupReadable = allowOthers, AllowWorldReadable = allowOthers };
        SecureBuffer buffer;
        try
        {
            buffer = SecureBuffer.ReadFile(path, fileOptions);
        }
        catch (InvalidDataException)
        {
            return null;
        }
        catch (UnauthorizedAccessException e)
        {
            // The refusal was made on the opened file; the path's mode only picks the words, naming this package's option.
            throw Error.CredentialChanged(CredentialFileMode.Check(options, option, path) ?? Error.FileUnreadable(option, path, e));
        }
        catch (IOException e)
        {
            throw Error.CredentialChanged(Error.FileUnreadable(option, path, e));
        }

        if (buffer.Length == 0)
        {
            buffer.Dispose();
            throw Error.CredentialChanged(Error.FileEmptyOrNotRegular(option, path));
        }

        return buffer;
    }
}
