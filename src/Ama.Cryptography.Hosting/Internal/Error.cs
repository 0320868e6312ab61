using System.Globalization;
using Ama.Cryptography.KeyManagement;

namespace Ama.Cryptography.Hosting.Internal;

/// <summary>Builds every message of this package in one place: they name options, paths and variables, never secret bytes.</summary>
internal static class Error
{
    private static string Format(string format, params object?[] args) =>
        string.Format(CultureInfo.InvariantCulture, format, args);

    /// <summary>The name of an option as the user wrote it: the configuration key when bound from configuration, else the property.</summary>
    internal static string OptionName(SecureKeyStorageOptions options, string property) =>
        options.ConfigurationPath is { Length: > 0 } section
            ? Format("{0}:{1} (SecureKeyStorageOptions.{1})", section, property)
            : "SecureKeyStorageOptions." + property;

    internal static string PathMissing(string option) => Format(
        "{0} is not set: give the key store file, or set SecureKeyStorageOptions.OpenStorage to open a store kept elsewhere.", option);

    internal static string OpenStorageReturnedNull() =>
        "SecureKeyStorageOptions.OpenStorage returned null: the factory must return the opened SecureKeyStorage or throw.";

    internal static string FileOptionWithOpenStorage(string option) => Format(
        "{0} applies to key store files, but SecureKeyStorageOptions.OpenStorage opens the store: leave {0} out, and let the factory decide where the store is and whether to create it.", option);

    internal static string PathHasNul(string option, string path) => Format(
        "{0}: '{1}' is not a valid path: it holds a NUL character (shown as \\0).", option, path.Replace("\0", "\\0", StringComparison.Ordinal));

    internal static string StoreFileMissing(string option, string path) => Format(
        "{0}: the key store file '{1}' does not exist. Create it (ama keystore create) or set CreateIfMissing to true.", option, path);

    internal static string StoreMissingAfterCreation(string option, string path, string marker) => Format(
        "{0}: the key store file '{1}' is missing, but a key store existed there ('{2}' records its creation), so CreateIfMissing does not create a new, empty one: that would split the hosts that share the store and lose every key in it. Restore '{1}' from a backup (or put back the file that was renamed, or mount the volume that holds it) and start again. Only to give up the old store and its keys for good, delete '{2}'.",
        option, path, marker);

    internal static string NegativeMinimumGeneration(string option, long value) => Format(
        "{0} is {1}: a minimum generation is 0 (no pin) or more.", option, value);

    internal static string MinimumGenerationFileNotNumber(string option, string path) => Format(
        "{0}: the file '{1}' does not hold a generation: its first line must be a whole number of 0 or more.", option, path);

    internal static KeyStoreDamagedException StoreOlderThanPin(string store, long found, long pinned, string pinSource) => new(Format(
        "The key store '{0}' is at generation {1}, older than the minimum generation {2} pinned by {3}: it was rolled back (restored from an older backup or copy), which undoes every change made since, revocations included. Put back the newest copy of the store; only to use this older store on purpose, lower {3}.",
        store, found, pinned, pinSource));

    internal static string StoreDirectoryMissing(string option, string path) => Format(
        "{0}: the directory of the key store file '{1}' does not exist, so the store cannot be created.", option, path);

    internal static string NoCredential(SecureKeyStorageOptions options) => Format(
        "No credential is configured for the key store: set one of {0}, {1}, {2}, {3}, {4} or {5}.",
        OptionName(options, nameof(SecureKeyStorageOptions.KeyFile)),
        OptionName(options, nameof(SecureKeyStorageOptions.PasswordFile)),
        OptionName(options, nameof(SecureKeyStorageOptions.KeyCredential)),
        OptionName(options, nameof(SecureKeyStorageOptions.PasswordCredential)),
        OptionName(options, nameof(SecureKeyStorageOptions.KeyEnvironmentVariable)),
        "SecureKeyStorageOptions.Credential");

    /// <summary>A refusal of the library's credential readers, whose message names the file or credential and what is wrong, never a byte of it.</summary>
    internal static string CredentialRefused(string option, Exception refusal) => Format(
        "{0}: {1}", option, refusal.Message);

    internal static string SeveralCredentials(IEnumerable<string> options) => Format(
        "More than one credential is configured for the key store ({0}); set exactly one.", string.Join(", ", options));

    internal static string FileMissing(string option, string path) => Format(
        "{0}: the file '{1}' does not exist.", option, path);

    internal static string FileIsDirectory(string option, string path) => Format(
        "{0}: '{1}' is a directory, not a file.", option, path);

    internal static string FileUnreadable(string option, string path, Exception cause) => Format(
        "{0}: the file '{1}' cannot be read ({2}).", option, path, cause.GetType().Name);

    internal static string FileEmptyOrNotRegular(string option, string path) => Format(
        "{0}: '{1}' is empty, or is not a regular file (a FIFO, a device or a socket); give a regular file holding the credential.", option, path);

    internal static string CredentialFileOpenToOthers(string option, string path, UnixFileMode mode, string allowOption) => Format(
        "{0}: the file '{1}' has mode {2}, so users other than its owner can read or change it, and the key store's credential with it. Make it the owner's alone: chmod 600 '{1}' (and chown it to the user the app runs as). Only where something else keeps other users from the file (a secret volume in a container of its own), set {3} to true to accept it.",
        option, path, Octal(mode), allowOption);

    /// <summary>A file mode as chmod writes it, such as 0644.</summary>
    private static string Octal(UnixFileMode mode) => "0" + Convert.ToString((int)mode, 8).PadLeft(3, '0');

    internal static string PasswordEmptyMessage(string option, string path) => Format(
        "{0}: the password file '{1}' holds an empty password (its first line is empty).", option, path);

    internal static string KeyFileLength(string option, string path, long length) => Format(
        "{0}: the key file '{1}' holds {2} bytes; a key store key is exactly {3} raw bytes.", option, path, length, KeyStoreCredential.KeyLength);

    internal static string PasswordFileLength(string option, string path, long length, int max) => Format(
        "{0}: the password file '{1}' holds {2} bytes; it must hold 1 to {3}.", option, path, length, max);

    internal static string VariableNotSet(string option, string variable) => Format(
        "{0}: the environment variable '{1}' is not set or is empty. (A host reads the key once, then removes the variable from the process's environment: a second host in the same process needs the key from another source.)", option, variable);

    internal static string VariableNotKey(string option, string variable) => Format(
        "{0}: the environment variable '{1}' does not hold a {2}-byte key in base64.", option, variable, KeyStoreCredential.KeyLength);

    internal static string BadConfigurationValue(string key, string expected) => Format(
        "The configuration value '{0}' is not valid: expected {1}.", key, expected);

    internal static string MissingKdfAlgorithm(string key, string section) => Format(
        "The configuration value '{0}' (SecureKeyStorageOptions.Kdf) is missing: the section '{1}' sets a KDF cost, so it must also name the algorithm, Argon2id or Pbkdf2Sha256.", key, section);

    internal static string BadKdf(string section, string reason) => Format(
        "The configuration section '{0}' does not describe a valid KDF: {1}", section, reason);

    internal static InvalidOperationException CredentialChanged(string reason) => new(Format(
        "The key store credential could not be read at start-up, though the options were valid a moment before: {0}", reason));

    internal static InvalidOperationException CredentialFactoryReturnedNull() => new(
        "SecureKeyStorageOptions.Credential returned null.");
}
