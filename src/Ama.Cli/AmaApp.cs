using System.CommandLine;
using System.CommandLine.Invocation;
using System.CommandLine.Parsing;
using Ama.Cli.Bench;
using Ama.Cli.Encryption;
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
        var root = new RootCommand("ama: checks how well this host keeps secrets in memory, manages key store files, and encrypts files with their keys.")
        {
            StatusCommand.Create(),
            BenchCommand.Create(),
            KeyStoreCommand.Create(),
            EncryptionCommand.Encrypt(),
            EncryptionCommand.Decrypt(),
        };
        HelpExamples.With(root, "ama status", "ama status --json | jq .outcome", "ama bench --quick", "ama keystore --help", "ama encrypt --help");
        HelpExamples.Install(root);
        return root;
    }

    internal static int Run(string[] args)
    {
        // Started with stderr closed, a message would fail to write and abort the process after the command succeeded.
        if (!StandardStreams.IsUsable(2, forWriting: true))
        {
            Console.SetError(TextWriter.Null);
        }

        Redaction.AddArguments(args);
        ParseResult parsed = BuildRoot().Parse(args);
        if (parsed.Action is ParseErrorAction)
        {
            return ReportUsageError(parsed);
        }

        // The library's purge hooks first: the runtime runs the latest signal registration first, so the CLI's
        // handlers keep SIGINT and SIGTERM, and the library purges at the ProcessExit that follows.
        SecureMemory.PurgeOnExit = true;
        HeldSecrets.InstallSignalHandlers();
        (int exitCode, string? error) = Execute(parsed);

        // A signal that arrives from here on no longer changes the outcome, and one that came
        // earlier has already zeroed the secrets: then this thread stops and the handler exits.
        HeldSecrets.EndCommand();
        try
        {
            return error is null ? exitCode : Fail(error, exitCode);
        }
        finally
        {
            HeldSecrets.DisposeAll();
        }
    }

    private static (int ExitCode, string? Error) Execute(ParseResult parsed)
    {
        try
        {
            return (parsed.Invoke(new InvocationConfiguration { EnableDefaultExceptionHandler = false, ProcessTerminationTimeout = null }), null);
        }
        catch (CliException e)
        {
            return (e.ExitCode, e.Message);
        }
        catch (Exception e) when (KeyStoreErrors.TryMap(e, out string? message, out int exitCode))
        {
            return (exitCode, message);
        }
        catch (SecureMemoryException e)
        {
            return (ExitCodes.Failure, e.Message);
        }
        catch (IOException e)
        {
            return (ExitCodes.Failure, e.Message);
        }
        catch (UnauthorizedAccessException e)
        {
            return (ExitCodes.Failure, e.Message);
        }
#pragma warning disable CA1031 // The last line of defence: a bug still gets one line, not a stack trace.
        catch (Exception e)
#pragma warning restore CA1031
        {
            return (ExitCodes.InternalError, $"internal error ({e.GetType().Name}): {e.Message}");
        }
    }

    private static int ReportUsageError(ParseResult parsed)
    {
        string command = string.Join(' ', CommandPath(parsed));
        // "Required command was not provided" says less than the unrecognized token that usually comes with it.
        string message = ParseMessages.Readable(parsed.Errors.Select(e => e.Message).OrderBy(m => m.StartsWith("Required command", StringComparison.Ordinal)).First());
        string hint = CommandHints.Suggest(parsed) is { } known
            ? $" {known}"
            : TypoCorrection.Suggest(parsed) is { } suggestion ? $" Did you mean '{suggestion}'?" : string.Empty;
        return Fail($"{message.TrimEnd().TrimEnd('.')}.{hint} See '{command} --help'.", ExitCodes.Usage);
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
        // A connection string's password is masked wherever it shows up, the parser's echo of a token included.
        // Parser messages list choices on indented lines; on one line they read as "one of: 'hex' 'base64'".
        string oneLine = string.Join(' ', Redaction.Apply(message).Split((char[])[' ', '\t', '\r', '\n'], StringSplitOptions.RemoveEmptyEntries));
        bool color = Terminal.UseColor(Terminal.StderrIsTerminal);
        Console.Error.WriteLine($"{Terminal.Paint("ama: error:", ConsoleColor.Red, color)} {oneLine}");
        return exitCode;
    }
}
