using System.CommandLine;

namespace Ama.Cli.KeyStore;

/// <summary><c>ama keystore</c>: manages key store files.</summary>
internal static class KeyStoreCommand
{
    internal static Command Create() => new("keystore", "Manage key store files.");
}
