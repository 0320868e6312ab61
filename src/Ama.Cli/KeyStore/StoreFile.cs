using Ama.Cryptography.KeyManagement;

namespace Ama.Cli.KeyStore;

/// <summary>Checks the store path and entry name before any password is asked for, so a typo never costs a typed password.</summary>
internal static class StoreFile
{
    internal static string Existing(string path) => File.Exists(path)
        ? path
        : throw CliException.NotFound($"The key store '{path}' does not exist.");

    internal static string Absent(string path)
    {
        if (Directory.Exists(path))
        {
            throw CliException.Usage($"'{path}' is a directory; name the key store file to create in it, e.g. '{Path.Combine(path, "app.keys")}'.");
        }

        if (File.Exists(path))
        {
            throw new CliException($"'{path}' already exists; ama never overwrites a key store.", ExitCodes.AlreadyExists);
        }

        string directory = Path.GetDirectoryName(Path.GetFullPath(path)) ?? "/";
        return Directory.Exists(directory)
            ? path
            : throw CliException.NotFound($"The directory '{directory}' does not exist; create it first.");
    }

    /// <summary>The library's own rule, checked here so a bad name fails before the password prompt.</summary>
    internal static string ValidName(string name) => KeyNames.IsValid(name)
        ? name
        : throw CliException.BadInput($"'{name}' is not a valid key name: use 1 to {KeyNames.MaxNameLength} characters of A-Z, a-z, 0-9, '.', '_' and '-'.");
}
