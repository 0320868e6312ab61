using System.CommandLine;
using System.Text.Json;
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

    private static int Run(bool asJson)
    {
        SelfTestReport report = SecureMemorySelfTest.Run();
        int exitCode = ExitCodeFor(report.Outcome);
        if (asJson)
        {
            Console.WriteLine(JsonSerializer.Serialize(StatusDocument.From(report, exitCode), StatusJsonContext.Default.StatusDocument));
        }
        else
        {
            StatusText.Write(Console.Out, report, Terminal.UseColor(Terminal.StdoutIsTerminal));
        }

        return exitCode;
    }
}
