using System.Diagnostics.CodeAnalysis;
using Ama.Cryptography.KeyManagement;
using Npgsql;

namespace Ama.Cli.KeyStore;

/// <summary>
/// Maps the key store's exceptions to one-line messages and exit codes. The library's messages
/// never hold key material, so they are passed on as they are.
/// </summary>
internal static class KeyStoreErrors
{
    internal static bool TryMap(Exception exception, [NotNullWhen(true)] out string? message, out int exitCode)
    {
        ArgumentNullException.ThrowIfNull(exception);
        (message, exitCode) = exception switch
        {
            KeyStoreCredentialException e => (e.Message, ExitCodes.AuthenticationFailed),
            KeyStoreDamagedException e => (e.Message, ExitCodes.DataError),
            KeyStoreException e => (e.Message, ExitCodes.Failure),
            FileNotFoundException e => (e.Message, ExitCodes.NotFound),
            DirectoryNotFoundException e => (e.Message, ExitCodes.NotFound),
            KeyNotFoundException e => (e.Message, ExitCodes.NotFound),
            NpgsqlException e => ($"PostgreSQL: {e.Message}", ExitCodes.Failure),
            ArgumentException e when e is not ArgumentNullException => (WithoutParameterName(e), ExitCodes.DataError),
            _ => (null, 0),
        };
        return message is not null;
    }

    /// <summary>The message without the " (Parameter 'name')" that ArgumentException appends: a user gave no parameter.</summary>
    private static string WithoutParameterName(ArgumentException e) =>
        e.ParamName is { } name ? e.Message.Replace($" (Parameter '{name}')", string.Empty, StringComparison.Ordinal) : e.Message;
}
