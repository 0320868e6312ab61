using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Invocation;

namespace Ama.Cli;

/// <summary>Adds an "Examples:" section under the standard help of every command that has examples.</summary>
internal sealed class HelpExamples : SynchronousCommandLineAction
{
    private static readonly Dictionary<Command, string[]> Examples = [];
    private readonly HelpAction standard;

    private HelpExamples(HelpAction standard) => this.standard = standard;

    public override bool ClearsParseErrors => true;

    internal static T With<T>(T command, params string[] examples)
        where T : Command
    {
        Examples[command] = examples;
        return command;
    }

    /// <summary>Wraps the root's (recursive) help option so every subcommand's help shows its examples.</summary>
    internal static void Install(RootCommand root)
    {
        HelpOption help = root.Options.OfType<HelpOption>().Single();
        if (help.Action is HelpAction standard)
        {
            help.Action = new HelpExamples(standard);
        }
    }

    public override int Invoke(ParseResult parseResult)
    {
        ArgumentNullException.ThrowIfNull(parseResult);
        int result = standard.Invoke(parseResult);
        if (Examples.TryGetValue(parseResult.CommandResult.Command, out string[]? lines))
        {
            TextWriter output = parseResult.InvocationConfiguration.Output;
            output.WriteLine("Examples:");
            foreach (string line in lines)
            {
                output.WriteLine("  " + line);
            }

            output.WriteLine();
        }

        return result;
    }
}
