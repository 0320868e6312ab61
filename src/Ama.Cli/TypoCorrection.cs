using System.CommandLine;

namespace Ama.Cli;

/// <summary>
/// "Did you mean" for a mistyped command or option: the closest name the command being parsed
/// accepts, within a few edits. System.CommandLine has this only inside its own error printer,
/// which ama replaces to keep errors on one line.
/// </summary>
internal static class TypoCorrection
{
    internal static string? Suggest(ParseResult parsed)
    {
        if (parsed.UnmatchedTokens.Count == 0)
        {
            return null;
        }

        string token = parsed.UnmatchedTokens[0];
        Command command = parsed.CommandResult.Command;
        IEnumerable<string> names = token.StartsWith('-')
            ? command.Options.Where(o => !o.Hidden).SelectMany(o => o.Aliases.Prepend(o.Name))
            : command.Subcommands.Where(c => !c.Hidden).SelectMany(c => c.Aliases.Prepend(c.Name));
        return names
            .Select(name => (Name: name, Distance: Distance(token, name)))
            .Where(candidate => candidate.Distance <= Math.Max(1, candidate.Name.Length / 3))
            .OrderBy(candidate => candidate.Distance)
            .Select(candidate => candidate.Name)
            .FirstOrDefault();
    }

    /// <summary>Levenshtein distance with adjacent transpositions (optimal string alignment): "lsit" is one edit from "list".</summary>
    internal static int Distance(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (int i = 0; i <= a.Length; i++)
        {
            d[i, 0] = i;
        }

        for (int j = 0; j <= b.Length; j++)
        {
            d[0, j] = j;
        }

        for (int i = 1; i <= a.Length; i++)
        {
            for (int j = 1; j <= b.Length; j++)
            {
                int cost = a[i - 1] == b[j - 1] ? 0 : 1;
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + cost);
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                {
                    d[i, j] = Math.Min(d[i, j], d[i - 2, j - 2] + 1);
                }
            }
        }

        return d[a.Length, b.Length];
    }
}
