using System.CommandLine;
using System.CommandLine.Invocation;
using System.CommandLine.Parsing;
using Ama.Cli.Bench;
using Ama.Cli.KeyStore;
using Ama.Cli.Secrets;
using Ama.Cli.Status;
using Ama.Cryptography;

namespace Ama.Cli;

/// <summary>Builds the command tree, runs one command, and turns every error into one line on stderr and an exit code.</summary>
internal static class AmaApp
{
    internal static RootCommand BuildRoot()
    {
        var root = new RootCommand("ama: checks how well this host keeps secrets in memory, and manages key store files.")
        {
            StatusCommand.Create(),
            BenchCommand.Create(),
            KeyStoreCommand.Create(),
        };
        HelpExamples.With(root, "ama status", "ama status --json | jq .outcome", "ama bench --quick", "ama keystore --help");
        HelpExamples.Install(root);
        return root;
    }

    internal static int Run(string[] args)
    {
        ParseResult parsed = BuildRoot().Parse(args);
        if (parsed.Action is ParseErrorAction)
        {
            return ReportUsageError(parsed);
        }

        using IDisposable signals = HeldSecrets.InstallSignalHandlers();
        try
        {
            return parsed.Invoke(new InvocationConfiguration { EnableDefaultExceptionHandler = false, ProcessTerminationTimeout = null });
        }
        catch (CliException e)
        {
            return Fail(e.Message, e.ExitCode);
        }
        catch (Exception e) when (KeyStoreErrors.TryMap(e, out string? message, out int exitCode))
        {
            return Fail(message, exitCode);
        }
        catch (SecureMemoryException e)
        {
            return Fail(e.Message, ExitCodes.Failure);
        }
        catch (IOException e)
        {
            return Fail(e.Message, ExitCodes.Failure);
        }
        catch (UnauthorizedAccessException e)
        {
            return Fail(e.Message, ExitCodes.Failure);
        }
#pragma warning disable CA1031 // The last line of defence: a bug still gets one line, not a stack trace.
        catch (Exception e)
#pragma warning restore CA1031
        {
            return Fail($"internal error ({e.GetType().Name}): {e.Message}", ExitCodes.InternalError);
        }
        finally
        {
            HeldSecrets.DisposeAll();
        }
    }

    private static int ReportUsageError(ParseResult parsed)
    {
        string command = string.Join(' ', CommandPath(parsed));
        // "Required command was not provided" says less than the unrecognized token that usually comes with it.
        string message = parsed.Errors.Select(e => e.Message).OrderBy(m => m.StartsWith("Required command", StringComparison.Ordinal)).First();
        return Fail($"{message} See '{command} --help'.", ExitCodes.Usage);
    }

    private static List<string> CommandPath(ParseResult parsed)
    {
        var names = new List<string>();
        for (SymbolResult? result = parsed.CommandResult; result is not null; result = result.Parent)
        {
            if (result is CommandResult commandResult)
            {
                names.Add(commandResult.Command is RootCommand ? "ama" : commandResult.Command.Name);
            }
        }

        names.Reverse();
        return names;
    }

    internal static int Fail(string message, int exitCode)
    {
        string oneLine = message.ReplaceLineEndings(" ").Trim();
        bool color = Terminal.UseColor(Terminal.StderrIsTerminal);
        Console.Error.WriteLine($"{Terminal.Paint("ama: error:", ConsoleColor.Red, color)} {oneLine}");
        return exitCode;
    }
}
