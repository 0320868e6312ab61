using System.Diagnostics;
using System.Text;

namespace Ama.Cli.Tests;

/// <summary>Runs the .NET SDK (pack, tool install, test) or an installed tool as a child process.</summary>
public static class DotnetCommand
{
    public static string DotnetPath => Tools.Find("dotnet") ?? AmaProcess.DotnetPath;

    public static AmaProcess.Result Run(string program, IEnumerable<string> arguments, IDictionary<string, string?>? environment = null, TimeSpan? timeout = null)
    {
        var info = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = AmaProcess.RepoRoot,
        };
        foreach (string argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        // The outer `dotnet test` leaves MSBuild's own variables behind; a nested SDK command must not inherit them.
        foreach (string name in info.Environment.Keys.Where(k => k.StartsWith("MSBuild", StringComparison.OrdinalIgnoreCase)).ToList())
        {
            info.Environment.Remove(name);
        }

        foreach ((string key, string? value) in environment ?? new Dictionary<string, string?>())
        {
            info.Environment[key] = value;
        }

        using Process process = Process.Start(info) ?? throw new InvalidOperationException($"{program} did not start.");
        var output = new StringBuilder();
        process.OutputDataReceived += (_, e) => Append(output, e.Data);
        process.ErrorDataReceived += (_, e) => Append(output, e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        if (!process.WaitForExit(timeout ?? TimeSpan.FromMinutes(5)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{program} {string.Join(' ', arguments)} did not finish:\n{output}");
        }

        process.WaitForExit();
        lock (output)
        {
            return new AmaProcess.Result(process.ExitCode, output.ToString(), string.Empty);
        }
    }

    private static void Append(StringBuilder output, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (output)
        {
            output.AppendLine(line);
        }
    }
}
