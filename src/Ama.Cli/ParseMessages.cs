using System.Text.RegularExpressions;

namespace Ama.Cli;

/// <summary>Rewrites the parser's messages that speak .NET ("expected type 'System.Nullable`1[System.Int32]'") into the user's terms.</summary>
internal static partial class ParseMessages
{
    internal static string Readable(string message)
    {
        Match match = CannotParse().Match(message);
        if (!match.Success)
        {
            return message;
        }

        string type = match.Groups["type"].Value;
        string expected = type.Contains("Int32", StringComparison.Ordinal) || type.Contains("Int64", StringComparison.Ordinal)
            ? "a whole number"
            : "a value of the right kind";
        return $"{match.Groups["option"].Value} takes {expected}, not '{match.Groups["value"].Value}'.";
    }

    [GeneratedRegex(@"^Cannot parse argument '(?<value>.*)' for option '(?<option>[^']+)' as expected type '(?<type>[^']+)'", RegexOptions.CultureInvariant)]
    private static partial Regex CannotParse();
}
