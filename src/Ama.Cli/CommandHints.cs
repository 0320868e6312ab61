using System.CommandLine;

namespace Ama.Cli;

/// <summary>
/// Hints for commands a user expects by another tool's vocabulary and that ama spells differently:
/// edit distance finds typos, not these ("rotate" is far from "put").
/// </summary>
internal static class CommandHints
{
    private static readonly Dictionary<(string Command, string Token), string> Hints = new()
    {
        [("keystore", "rotate")] = "ama has no 'rotate': to rotate an entry's key, 'put' a new version of it (the new version becomes the primary one); to re-encrypt every entry under a fresh data key, use 'rotate-data-key'.",
    };

    /// <summary>The hint for the first unrecognized token under the command being parsed, if there is one.</summary>
    internal static string? Suggest(ParseResult parsed)
    {
        if (parsed.UnmatchedTokens.Count == 0)
        {
            return null;
        }

        return Hints.GetValueOrDefault((parsed.CommandResult.Command.Name, parsed.UnmatchedTokens[0]));
    }
}
