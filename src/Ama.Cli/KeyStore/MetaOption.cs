using System.CommandLine;

namespace Ama.Cli.KeyStore;

/// <summary>
/// <c>put --meta key=value</c>, repeatable: the pairs stored (authenticated, not encrypted) with the
/// new version. The syntax and the library's size limits are checked before the password is asked
/// for, so a typo costs no prompt; anything else the library refuses is a data error (65).
/// </summary>
internal sealed class MetaOption
{
    // The library's limits (KeyMetadata): checked here too so a usage error names the option.
    private const int MaxPairs = 64;
    private const int MaxKeyLength = 128;
    private const int MaxValueLength = 4096;

    private readonly Option<string[]> option = new("--meta")
    {
        Description = $"Store KEY=VALUE as metadata of the new version (repeatable, up to {MaxPairs}; authenticated but not encrypted, so never a secret). The value may contain '='.",
        HelpName = "key=value",
        Arity = ArgumentArity.ZeroOrMore,
        AllowMultipleArgumentsPerToken = false,
    };

    internal void AddTo(Command command) => command.Options.Add(option);

    /// <summary>The pairs, or null when none were given; a malformed one is a usage error naming --meta.</summary>
    internal Dictionary<string, string>? Read(ParseResult result)
    {
        string[] values = result.GetValue(option) ?? [];
        if (values.Length == 0)
        {
            return null;
        }

        if (values.Length > MaxPairs)
        {
            throw CliException.Usage($"--meta is given {values.Length} times; an entry version holds at most {MaxPairs} pairs.");
        }

        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (string value in values)
        {
            // The first '=' ends the key, so values may hold '=' (base64, URLs).
            int equals = value.IndexOf('=', StringComparison.Ordinal);
            if (equals < 1)
            {
                throw CliException.Usage($"--meta '{value}' is not KEY=VALUE: give a non-empty key, '=', then the value (which may be empty).");
            }

            string key = value[..equals];
            string text = value[(equals + 1)..];
            if (key.Length > MaxKeyLength || text.Length > MaxValueLength)
            {
                throw CliException.Usage($"--meta key '{Shorten(key)}': keys are at most {MaxKeyLength} characters and values at most {MaxValueLength}.");
            }

            if (!metadata.TryAdd(key, text))
            {
                throw CliException.Usage($"--meta key '{key}' is given twice; each key once.");
            }
        }

        return metadata;
    }

    private static string Shorten(string key) => key.Length <= 40 ? key : key[..40] + "…";
}
