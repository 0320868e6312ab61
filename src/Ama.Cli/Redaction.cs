using System.Text.RegularExpressions;
using Npgsql;

namespace Ama.Cli;

/// <summary>
/// Takes secrets that arrive in arguments or the environment (a PostgreSQL connection string's
/// password) out of every message ama prints on failure, whatever produced the message: the
/// parser echoing an unknown token, Npgsql, or ama itself.
/// </summary>
internal static partial class Redaction
{
    internal const string Mask = "***";

    private static readonly Lock Gate = new();
    private static readonly List<string> Secrets = [];

    /// <summary>Remembers the password of a connection string (if it can be parsed) to mask it wherever it shows up.</summary>
    internal static void AddConnectionString(string connectionString)
    {
        string? password = null;
        try
        {
            password = new NpgsqlConnectionStringBuilder(connectionString).Password;
        }
        catch (ArgumentException)
        {
            // Unparseable: the keyword pattern below still masks a Password=... part.
        }

        if (!string.IsNullOrEmpty(password))
        {
            lock (Gate)
            {
                Secrets.Add(password);
            }
        }
    }

    /// <summary>The message with every Password=/Pwd=/Psw= value and every remembered password replaced by ***.</summary>
    internal static string Apply(string message)
    {
        string masked = PasswordPart().Replace(message, match => $"{match.Groups["key"].Value}={Mask}");
        lock (Gate)
        {
            foreach (string secret in Secrets)
            {
                masked = masked.Replace(secret, Mask, StringComparison.Ordinal);
            }
        }

        return masked;
    }

    [GeneratedRegex(@"(?<key>\b(?:password|pwd|psw))\s*=\s*(?:'[^']*'|""[^""]*""|[^;']*)", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex PasswordPart();
}
