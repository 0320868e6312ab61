using System.Diagnostics;

namespace Ama.Cli.Tests;

/// <summary>Runs the built <c>ama</c> as a child process and captures its exit code and output.</summary>
public static class AmaProcess
{
    public static string RepoRoot
    {
        get
        {
            string? dir = AppContext.BaseDirectory;
            while (dir is not null && !File.Exists(Path.Combine(dir, "Ama.slnx")))
            {
                dir = Path.GetDirectoryName(dir);
            }

            return dir ?? throw new InvalidOperationException("Ama.slnx not found above the test binaries.");
        }
    }

    /// <summary>The tool's dll, built by the ProjectReference in the same configuration as the tests.</summary>
    public static string DllPath
    {
        get
        {
            string configuration = Path.GetFileName(Path.GetDirectoryName(AppContext.BaseDirectory.TrimEnd('/'))!);
            return Path.Combine(RepoRoot, "src", "Ama.Cli", "bin", configuration, "net10.0", "ama.dll");
        }
    }

    /// <summary>
    /// The environment variable that points <c>ama keystore</c> at PostgreSQL. CI exports it for the
    /// PostgreSQL tests; a file-store test that inherited it would get a usage error, so every run
    /// here leaves it out unless the test sets it itself.
    /// </summary>
    public const string PostgresVariable = "AMA_POSTGRES";

    /// <summary>A shell command line that runs the tool, for wrappers such as script and tmux.</summary>
    public static string ShellCommand(string arguments) => $"env -u {PostgresVariable} '{DotnetPath}' '{DllPath}' {arguments}";

    /// <summary>Removes the environment that would point the tool at PostgreSQL instead of a file.</summary>
    public static ProcessStartInfo WithoutPostgres(ProcessStartInfo info)
    {
        ArgumentNullException.ThrowIfNull(info);
        info.Environment.Remove(PostgresVariable);
        return info;
    }

    public static string DotnetPath =>
        Environment.ProcessPath is { } path && Path.GetFileNameWithoutExtension(path) == "dotnet" ? path : "dotnet";

    /// <summary>Runs ama to its end; <paramref name="onStderrLine"/>, if given, sees each stderr line as ama writes it.</summary>
    public static Result Run(string[] args, string? stdin = null, IDictionary<string, string?>? environment = null, string? workingDirectory = null, string[]? wrapper = null, Action<string>? onStderrLine = null)
    {
        var info = new ProcessStartInfo(wrapper?[0] ?? DotnetPath)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Path.GetTempPath(),
        };
        if (wrapper is not null)
        {
            foreach (string arg in wrapper.Skip(1))
            {
                info.ArgumentList.Add(arg);
            }
        }
        else
        {
            info.ArgumentList.Add(DllPath);
        }

        foreach (string arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        WithoutPostgres(info);
        foreach ((string key, string? value) in environment ?? new Dictionary<string, string?>())
        {
            info.Environment[key] = value;
        }

        using Process process = Process.Start(info) ?? throw new InvalidOperationException("ama did not start.");
        Task<string> output = process.StandardOutput.ReadToEndAsync();
        Task<string> error = onStderrLine is null ? process.StandardError.ReadToEndAsync() : ReadLinesAsync(process.StandardError, onStderrLine);
        if (stdin is not null)
        {
            process.StandardInput.Write(stdin);
        }

        process.StandardInput.Close();
        if (!process.WaitForExit(TimeSpan.FromSeconds(120)))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"ama {string.Join(' ', args)} did not finish in 120 s.");
        }

        return new Result(process.ExitCode, output.Result, error.Result);
    }

    public static Result Run(params string[] args) => Run(args, null);

    private static async Task<string> ReadLinesAsync(StreamReader reader, Action<string> onLine)
    {
        var all = new System.Text.StringBuilder();
        while (await reader.ReadLineAsync().ConfigureAwait(false) is { } line)
        {
            onLine(line);
            all.Append(line).Append('\n');
        }

        return all.ToString();
    }

    public sealed record Result(int ExitCode, string Stdout, string Stderr)
    {
        public override string ToString() => $"exit {ExitCode}\n--- stdout\n{Stdout}\n--- stderr\n{Stderr}";
    }
}
