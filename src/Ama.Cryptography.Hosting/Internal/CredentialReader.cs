using System.Security.Cryptography;
using Ama.Cryptography.KeyManagement;

namespace Ama.Cryptography.Hosting.Internal;

/// <summary>
/// Reads the configured credential straight into secure memory. Files and systemd credentials are
/// read by the library's <see cref="KeyStoreCredential"/> readers (one code path with the <c>ama</c>
/// command); the environment variable is decoded into a stack buffer that is zeroed at once.
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

        if (!string.IsNullOrEmpty(options.KeyCredential))
        {
            string name = options.KeyCredential;
            return ReadSystemdCredential(Error.OptionName(options, nameof(SecureKeyStorageOptions.KeyCredential)), () => KeyStoreCredential.FromKeyCredential(name));
        }

        if (!string.IsNullOrEmpty(options.PasswordCredential))
        {
            string name = options.PasswordCredential;
            return ReadSystemdCredential(Error.OptionName(options, nameof(SecureKeyStorageOptions.PasswordCredential)), () => KeyStoreCredential.FromPasswordCredential(name, options.Kdf ?? KeyStoreKdf.Default));
        }

        return ReadVariable(Error.OptionName(options, nameof(SecureKeyStorageOptions.KeyEnvironmentVariable)), options.KeyEnvironmentVariable ?? string.Empty);
    }

    /// <summary>The key file is read by the library's <see cref="KeyStoreCredential.FromKeyFile"/>, as the <c>ama</c> command reads <c>--key-file</c>.</summary>
    private static KeyStoreCredential ReadKeyFile(SecureKeyStorageOptions options, string option, string path) =>
        ReadFile(options, option, path, () => KeyStoreCredential.FromKeyFile(path, FileOptions(options, SecureFileOptions.DefaultMaxLength)));

    /// <summary>
    /// The password is the file's first line, read by the library's <see cref="KeyStoreCredential.FromPasswordFile(string, KeyStoreKdf, SecureFileOptions?)"/>
    /// as the <c>ama</c> command reads <c>--password-file</c>: the same file gives the same password to both.
    /// </summary>
    private static KeyStoreCredential ReadPasswordFile(SecureKeyStorageOptions options, string option, string path) =>
        ReadFile(options, option, path, () => KeyStoreCredential.FromPasswordFile(path, options.Kdf ?? KeyStoreKdf.Default, FileOptions(options, MaxPasswordFileBytes)));

    private static KeyStoreCredential ReadSystemdCredential(string option, Func<KeyStoreCredential> read)
    {
        try
        {
            return read();
        }
        catch (Exception e) when (IsRefusal(e))
        {
            throw Error.CredentialChanged(Error.CredentialRefused(option, e));
        }
    }

    /// <summary>The exceptions the library's readers refuse a file or credential with; their messages name it, never a byte of it.</summary>
    internal static bool IsRefusal(Exception e) =>
        e is IOException or UnauthorizedAccessException or InvalidDataException or InvalidOperationException or ArgumentException;

    private static SecureFileOptions FileOptions(SecureKeyStorageOptions options, int max)
    {
        bool allowOthers = options.AllowGroupOrWorldReadableCredentialFiles;
        return new SecureFileOptions { MaxLength = max, AllowGroupReadable = allowOthers, AllowWorldReadable = allowOthers };
    }

    /// <summary>Runs the library's reader, which refuses a FIFO, a device or a file others may access on the handle it reads from, and words its refusals with this package's option names.</summary>
    private static KeyStoreCredential ReadFile(SecureKeyStorageOptions options, string option, string path, Func<KeyStoreCredential> read)
    {
        try
        {
            return read();
        }
        catch (InvalidDataException e)
        {
            // Wrong length, empty or not UTF-8: the file's content, not a change since validation, so not "CredentialChanged".
            throw new InvalidOperationException(Error.CredentialRefused(option, e));
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
}
