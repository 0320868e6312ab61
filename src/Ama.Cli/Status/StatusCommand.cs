using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Ama.Cryptography;

namespace Ama.Cli.Status;

/// <summary><c>ama status</c>: what this host can do to protect secrets, and a live self-test of it.</summary>
internal static class StatusCommand
{
    internal static Command Create()
    {
        var json = new Option<bool>("--json") { Description = "Print the status and checks as JSON (schema in docs/cli.md)." };
        var command = new Command(
            "status",
            "Show the backend, memory source, lock limits and capabilities, then run a live self-test. " +
            "Exit code: 0 all checks pass, 1 a check failed, 2 only warnings.")
        {
            json,
        };
        command.SetAction(result => Run(result.GetValue(json)));
        return HelpExamples.With(
            command,
            "ama status",
            "ama status --json | jq -r '.checks[] | select(.outcome != \"pass\") | .advice'",
            "ama status >/dev/null || echo \"this host does not fully protect secrets\"");
    }

    internal static int ExitCodeFor(SelfTestOutcome outcome) => outcome switch
    {
        SelfTestOutcome.Pass => ExitCodes.Success,
        SelfTestOutcome.Warn => ExitCodes.Warnings,
        _ => ExitCodes.Failure,
    };

    /// <summary>The id of the check that stands in for all others when the memory backend cannot even be loaded.</summary>
    internal const string BackendCheck = "backend";

    private static readonly JsonSerializerOptions JsonOptions = new(StatusJsonContext.Default.Options) { Encoder = JsonOutput.Encoder };

    private static int Run(bool asJson)
    {
        SelfTestReport report;
        try
        {
            report = SecureMemorySelfTest.Run();
        }
        catch (SecureMemoryException e)
        {
            // A broken AMA_NATIVE_LIBRARY stops every check; monitoring still gets a report that names the problem.
            return ReportUnusableBackend(e, asJson);
        }

        int exitCode = ExitCodeFor(report.Outcome);
        if (asJson)
        {
            WriteJson(StatusDocument.From(report, exitCode));
        }
        else
        {
            StatusText.Write(Console.Out, report, Terminal.UseColor(Terminal.StdoutIsTerminal));
        }

        return exitCode;
    }

    private static int ReportUnusableBackend(SecureMemoryException problem, bool asJson)
    {
        var check = new SelfTestCheck(
            BackendCheck,
            "the memory backend loads",
            SelfTestOutcome.Fail,
            problem.Message,
            "Point AMA_NATIVE_LIBRARY at a working libama_secure_memory, unset it, or set it to 'none' for the managed backend.");
        int exitCode = ExitCodeFor(SelfTestOutcome.Fail);
        if (asJson)
        {
            WriteJson(StatusDocument.ForUnusableBackend(check, exitCode));
        }
        else
        {
            StatusText.WriteUnusableBackend(Console.Out, check, Terminal.UseColor(Terminal.StdoutIsTerminal));
        }

        return exitCode;
    }

    private static void WriteJson(StatusDocument document) =>
        Console.WriteLine(JsonSerializer.Serialize(document, (JsonTypeInfo<StatusDocument>)JsonOptions.GetTypeInfo(typeof(StatusDocument))));
}
