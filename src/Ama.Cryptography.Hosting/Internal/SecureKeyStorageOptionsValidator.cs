using System.Security.Cryptography;
using Ama.Cryptography.KeyManagement;
using Microsoft.Extensions.Options;

namespace Ama.Cryptography.Hosting.Internal;

/// <summary>
/// Checks the options at start-up (<c>ValidateOnStart</c>) without reading a secret into a string:
/// files are checked by their length and by opening them, the variable is decoded into a stack
/// buffer that is zeroed at once.
/// </summary>
internal sealed class SecureKeyStorageOptionsValidator : IValidateOptions<SecureKeyStorageOptions>
{
    public ValidateOptionsResult Validate(string? name, SecureKeyStorageOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>(options.ConfigurationErrors);
        failures.AddRange(CheckPath(options));
        failures.AddRange(CheckCredential(options));
        failures.AddRange(CheckMinimumGeneration(options));
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static IEnumerable<string> CheckPath(SecureKeyStorageOptions options)
    {
        string option = Error.OptionName(options, nameof(SecureKeyStorageOptions.Path));
        if (options.OpenStorage is not null)
        {
            foreach (string conflict in FileOnlyOptionsBeside(options))
            {
                yield return Error.FileOptionWithOpenStorage(conflict);
            }

            yield break;
        }

        if (string.IsNullOrWhiteSpace(options.Path))
        {
            yield return Error.PathMissing(option);
            yield break;
        }

        if (options.Path.Contains('\0', StringComparison.Ordinal))
        {
            yield return Error.PathHasNul(option, options.Path);
            yield break;
        }

        string path = Path.GetFullPath(options.Path);
        if (StorePath.Exists(path))
        {
            // A directory at the path is the key store's own error (KeyStoreException) at open.
            yield break;
        }

        string target = StorePath.FinalTarget(path);
        if (!options.CreateIfMissing)
        {
            yield return Error.StoreFileMissing(option, target);
        }
        else if (File.Exists(StorePath.CreatedMarker(path)))
        {
            yield return Error.StoreMissingAfterCreation(option, target, StorePath.CreatedMarker(path));
        }
        else if (!Directory.Exists(Path.GetDirectoryName(target)))
        {
            yield return Error.StoreDirectoryMissing(option, target);
        }
    }

    private static IEnumerable<string> CheckMinimumGeneration(SecureKeyStorageOptions options)
    {
        if (options.MinimumGeneration < 0)
        {
            yield return Error.NegativeMinimumGeneration(Error.OptionName(options, nameof(SecureKeyStorageOptions.MinimumGeneration)), options.MinimumGeneration);
        }

        if (options.MinimumGenerationFile is not { Length: > 0 } file)
        {
            yield break;
        }

        string option = Error.OptionName(options, nameof(SecureKeyStorageOptions.MinimumGenerationFile));
        if (Directory.Exists(file))
        {
            yield return Error.FileIsDirectory(option, file);
            yield break;
        }

        if (!File.Exists(file))
        {
            yield return Error.FileMissing(option, file);
            yield break;
        }

        string? problem;
        try
        {
            problem = GenerationPin.ReadFile(file) is null ? Error.MinimumGenerationFileNotNumber(option, file) : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            problem = Error.FileUnreadable(option, file, e);
        }

        if (problem is not null)
        {
            yield return problem;
        }
    }

    private static IEnumerable<string> CheckCredential(SecureKeyStorageOptions options)
    {
        List<string> given = GivenSources(options);
        if (given.Count == 0)
        {
            return [Error.NoCredential(options)];
        }

        if (given.Count > 1)
        {
            return [Error.SeveralCredentials(given)];
        }

        string? problem = options switch
        {
            { KeyFile: { Length: > 0 } keyFile } => CheckKeyFile(options, Error.OptionName(options, nameof(SecureKeyStorageOptions.KeyFile)), keyFile),
            { PasswordFile: { Length: > 0 } passwordFile } => CheckPasswordFile(options, Error.OptionName(options, nameof(SecureKeyStorageOptions.PasswordFile)), passwordFile),
            { KeyCredential: { Length: > 0 } keyCredential } => CheckSystemdCredential(Error.OptionName(options, nameof(SecureKeyStorageOptions.KeyCredential)), () => KeyStoreCredential.FromKeyCredential(keyCredential)),
            { PasswordCredential: { Length: > 0 } passwordCredential } => CheckSystemdCredential(Error.OptionName(options, nameof(SecureKeyStorageOptions.PasswordCredential)), () => KeyStoreCredential.FromPasswordCredential(passwordCredential)),
            { KeyEnvironmentVariable: { Length: > 0 } variable } => CheckVariable(Error.OptionName(options, nameof(SecureKeyStorageOptions.KeyEnvironmentVariable)), variable),
            _ => null,
        };
        return problem is null ? [] : [problem];
    }

    /// <summary>The file options set beside <see cref="SecureKeyStorageOptions.OpenStorage"/>, which would be silently ignored.</summary>
    private static IEnumerable<string> FileOnlyOptionsBeside(SecureKeyStorageOptions options)
    {
        if (!string.IsNullOrEmpty(options.Path))
        {
            yield return Error.OptionName(options, nameof(SecureKeyStorageOptions.Path));
        }

        if (options.CreateIfMissing)
        {
            yield return Error.OptionName(options, nameof(SecureKeyStorageOptions.CreateIfMissing));
        }
    }

    /// <summary>The options that name a credential source, as the user would write them.</summary>
    internal static List<string> GivenSources(SecureKeyStorageOptions options)
    {
        var given = new List<string>();
        AddIfSet(given, options, nameof(SecureKeyStorageOptions.KeyFile), options.KeyFile);
        AddIfSet(given, options, nameof(SecureKeyStorageOptions.PasswordFile), options.PasswordFile);
        AddIfSet(given, options, nameof(SecureKeyStorageOptions.KeyCredential), options.KeyCredential);
        AddIfSet(given, options, nameof(SecureKeyStorageOptions.PasswordCredential), options.PasswordCredential);
        AddIfSet(given, options, nameof(SecureKeyStorageOptions.KeyEnvironmentVariable), options.KeyEnvironmentVariable);
        if (options.Credential is not null)
        {
            given.Add("SecureKeyStorageOptions.Credential");
        }

        return given;
    }

    private static void AddIfSet(List<string> given, SecureKeyStorageOptions options, string property, string? value)
    {
        if (!string.IsNullOrEmpty(value))
        {
            given.Add(Error.OptionName(options, property));
        }
    }

    private static string? CheckKeyFile(SecureKeyStorageOptions options, string option, string path)
    {
        string? problem = CheckReadableFile(options, option, path, out long length);
        return problem ?? (length == CredentialReader.KeyLength ? null : Error.KeyFileLength(option, path, length));
    }

    private static string? CheckPasswordFile(SecureKeyStorageOptions options, string option, string path)
    {
        string? problem = CheckReadableFile(options, option, path, out long length);
        if (problem is not null)
        {
            return problem;
        }

        if (length > CredentialReader.MaxPasswordFileBytes)
        {
            return Error.PasswordFileLength(option, path, length, CredentialReader.MaxPasswordFileBytes);
        }

        return StartsWithLineBreak(option, path, out string? unreadable) ? Error.PasswordEmptyMessage(option, path) : unreadable;
    }

    /// <summary>
    /// Whether the password (the file's first line) is empty. Only the first byte is read: it is
    /// either a line break, or the first byte of the password, which is not kept.
    /// </summary>
    private static bool StartsWithLineBreak(string option, string path, out string? unreadable)
    {
        unreadable = null;
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 0);
            int first = stream.ReadByte();
            return first is '\n' or '\r';
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            unreadable = Error.FileUnreadable(option, path, e);
            return false;
        }
    }

    /// <summary>Opens the file for reading and checks its mode; reads nothing from it.</summary>
    private static string? CheckReadableFile(SecureKeyStorageOptions options, string option, string path, out long length)
    {
        length = 0;
        if (Directory.Exists(path))
        {
            return Error.FileIsDirectory(option, path);
        }

        if (!File.Exists(path))
        {
            return Error.FileMissing(option, path);
        }

        // The length comes from the file's metadata, before any open: opening a FIFO for reading
        // would wait for a writer forever, and a FIFO or a device has no length. Every valid
        // credential file has at least one byte, so an empty length is refused here.
        length = new FileInfo(path).Length;
        if (length == 0)
        {
            return Error.FileEmptyOrNotRegular(option, path);
        }

        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 0);
            return CredentialFileMode.Check(options, option, path, stream.SafeFileHandle);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return Error.FileUnreadable(option, path, e);
        }
    }

    /// <summary>
    /// Reads the credential with the library's reader, which the host reads it with at start, and
    /// disposes (zeroes) it at once: a password's KDF is not run here.
    /// </summary>
    private static string? CheckSystemdCredential(string option, Func<KeyStoreCredential> read)
    {
        try
        {
            read().Dispose();
            return null;
        }
        catch (Exception e) when (CredentialReader.IsRefusal(e))
        {
            return Error.CredentialRefused(option, e);
        }
    }

    private static string? CheckVariable(string option, string variable)
    {
        string? value = Environment.GetEnvironmentVariable(variable);
        if (string.IsNullOrEmpty(value))
        {
            return Error.VariableNotSet(option, variable);
        }

        Span<byte> decoded = stackalloc byte[CredentialReader.Base64Capacity];
        try
        {
            bool isKey = value.Length <= CredentialReader.MaxBase64Length
                && Convert.TryFromBase64Chars(value.AsSpan().Trim(), decoded, out int written)
                && written == CredentialReader.KeyLength;
            return isKey ? null : Error.VariableNotKey(option, variable);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(decoded);
        }
    }
}
