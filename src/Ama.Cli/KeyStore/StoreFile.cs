namespace Ama.Cli.KeyStore;

/// <summary>Checks the store path before any password is asked for, so a typo never costs a typed password.</summary>
internal static class StoreFile
{
    internal static string Existing(string path) => File.Exists(path)
        ? path
        : throw CliException.NotFound($"The key store '{path}' does not exist.");

    internal static string Absent(string path) => File.Exists(path) || Directory.Exists(path)
        ? throw new CliException($"'{path}' already exists; ama never overwrites a key store.", ExitCodes.AlreadyExists)
        : path;
}
