using System.Diagnostics.CodeAnalysis;

namespace Ama.Cli.KeyStore;

/// <summary>Maps the key store's exceptions to one-line messages and exit codes.</summary>
internal static class KeyStoreErrors
{
    internal static bool TryMap(Exception exception, [NotNullWhen(true)] out string? message, out int exitCode)
    {
        ArgumentNullException.ThrowIfNull(exception);
        message = null;
        exitCode = 0;
        return false;
    }
}
