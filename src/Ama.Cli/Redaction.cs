using System.Text;
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
        catch (Exception e) when (e is ArgumentException or KeyNotFoundException or FormatException or InvalidCastException or OverflowException)
        {
            // Unparseable (Npgsql throws KeyNotFoundException for an unknown keyword with an empty
            // value, "Foo="): the keyword scan below still masks a Password=... part.
        }

        if (!string.IsNullOrEmpty(password))
        {
            lock (Gate)
            {
                Secrets.Add(password);

                // The longest first, so a password that contains another one is masked whole.
                Secrets.Sort((a, b) => b.Length.CompareTo(a.Length));
            }
        }
    }

    /// <summary>
    /// Remembers the password of every argument that parses as a connection string with one, before
    /// the command line is parsed: a parse error echoes tokens before any option value is looked at.
    /// </summary>
    internal static void AddArguments(IEnumerable<string> args)
    {
        foreach (string arg in args)
        {
            if (arg.Contains('=', StringComparison.Ordinal))
            {
                AddConnectionString(arg);
            }
        }
    }

    /// <summary>The message with every Password=/Pwd=/Psw= value and every remembered password replaced by ***.</summary>
    internal static string Apply(string message)
    {
        string masked = MaskPasswordValues(message);
        lock (Gate)
        {
            foreach (string secret in Secrets)
            {
                masked = masked.Replace(secret, Mask, StringComparison.Ordinal);
            }
        }

        return masked;
    }

    /// <summary>
    /// Masks the value after each password keyword where the connection-string rules say it ends:
    /// a quoted value at its closing quote (a doubled quote is part of the value), an unquoted one
    /// at the next ';' or line end. A quote inside an unquoted value is part of it, which a pattern
    /// that stopped at the first quote got wrong and so printed the rest of the password.
    /// </summary>
    private static string MaskPasswordValues(string message)
    {
        var result = new StringBuilder(message.Length);
        int position = 0;
        foreach (Match keyword in PasswordKeyword().Matches(message))
        {
            if (keyword.Index < position)
            {
                // Inside a value already masked.
                continue;
            }

            int start = keyword.Index + keyword.Length;
            int end = ValueEnd(message, start);
            result.Append(message, position, start - position).Append(Mask);
            position = end;
        }

        return result.Append(message, position, message.Length - position).ToString();
    }

    private static int ValueEnd(string text, int start)
    {
        if (start < text.Length && text[start] is '"' or '\'')
        {
            char quote = text[start];
            int i = start + 1;
            while (i < text.Length)
            {
                if (text[i] == quote)
                {
                    if (i + 1 < text.Length && text[i + 1] == quote)
                    {
                        i += 2;
                        continue;
                    }

                    return i + 1;
                }

                i++;
            }

            // An unclosed quote: everything after it could be the password.
            return text.Length;
        }

        int stop = text.IndexOfAny([';', '\r', '\n'], start);
        return stop < 0 ? text.Length : stop;
    }

    [GeneratedRegex(@"\b(?:password|pwd|psw)\s*=\s*", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex PasswordKeyword();
}
