using System.Diagnostics;

namespace Ama.Cryptography.Tests.Infrastructure;

/// <summary>Starts tests/Ama.TestHost as a child process running one named scenario.</summary>
public sealed class TestHost : IDisposable
{
    private TestHost(Process process) => Process = process;

    public Process Process { get; }

    public static string DllPath
    {
        get
        {
            // The test host is built next to the tests by the ProjectReference; find its output.
            string configDir = Path.GetFileName(Path.GetDirectoryName(AppContext.BaseDirectory.TrimEnd('/'))!);
            string root = FindRepoRoot();
            return Path.Combine(root, "tests", "Ama.TestHost", "bin", configDir, "net10.0", "Ama.TestHost.dll");
        }
    }

    public static string FindRepoRoot()
    {
        string? dir = AppContext.BaseDirectory;
        while (dir is not null && !File.Exists(Path.Combine(dir, "Ama.slnx")))
        {
            dir = Path.GetDirectoryName(dir);
        }

        return dir ?? throw new InvalidOperationException("Ama.slnx not found above the test binaries.");
    }

    /// <summary>Builds the start info: `dotnet Ama.TestHost.dll scenario args...`, optionally behind a wrapper such as prlimit.</summary>
    public static ProcessStartInfo StartInfo(string scenario, IEnumerable<string>? args = null, IEnumerable<string>? wrapper = null)
    {
        var info = new ProcessStartInfo
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        var argv = new List<string>();
        argv.AddRange(wrapper ?? []);
        argv.Add(Environment.ProcessPath ?? "dotnet");
        if (!(Environment.ProcessPath ?? "dotnet").EndsWith("dotnet", StringComparison.Ordinal))
        {
            argv[^1] = "dotnet";
        }

        argv.Add(DllPath);
        argv.Add(scenario);
        argv.AddRange(args ?? []);
        info.FileName = argv[0];
        foreach (string a in argv.Skip(1))
        {
            info.ArgumentList.Add(a);
        }

        return info;
    }

    public static TestHost Start(ProcessStartInfo info) =>
        new(Process.Start(info) ?? throw new InvalidOperationException("The test host did not start."));

    public static TestHost Start(string scenario, params string[] args) => Start(StartInfo(scenario, args));

    /// <summary>Reads stdout lines until one starts with <paramref name="prefix"/>; fails with stderr if the child exits first.</summary>
    public string WaitForLine(string prefix, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(60));
        while (DateTime.UtcNow < deadline)
        {
            Task<string?> read = Process.StandardOutput.ReadLineAsync();
            if (!read.Wait(deadline - DateTime.UtcNow))
            {
                break;
            }

            string? line = read.Result;
            if (line is null)
            {
                Process.WaitForExit(5000);
                throw new InvalidOperationException($"The test host exited ({Process.ExitCode}) before printing '{prefix}'. stderr: {Process.StandardError.ReadToEnd()}");
            }

            if (line.StartsWith(prefix, StringComparison.Ordinal))
            {
                return line[prefix.Length..].Trim();
            }
        }

        throw new TimeoutException($"The test host did not print '{prefix}' in time.");
    }

    /// <summary>Runs a scenario to its end and returns exit code, stdout and stderr.</summary>
    public static (int ExitCode, string Stdout, string Stderr) Run(ProcessStartInfo info, TimeSpan? timeout = null)
    {
        using TestHost host = Start(info);
        host.Process.StandardInput.Close();
        Task<string> stdout = host.Process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = host.Process.StandardError.ReadToEndAsync();
        if (!host.Process.WaitForExit(timeout ?? TimeSpan.FromMinutes(3)))
        {
            host.Process.Kill(entireProcessTree: true);
            throw new TimeoutException("The test host did not finish in time.");
        }

        return (host.Process.ExitCode, stdout.Result, stderr.Result);
    }

    public void Dispose()
    {
        if (!Process.HasExited)
        {
            Process.Kill(entireProcessTree: true);
            Process.WaitForExit();
        }

        Process.Dispose();
    }
}
