using System.Diagnostics;

namespace Ama.Cryptography.DataProtection.Tests.Infrastructure;

/// <summary>Runs tests/Ama.DataProtectionProbe, built next to the tests by the ProjectReference, as a separate process.</summary>
public static class Probe
{
    private static string DllPath
    {
        get
        {
            string configDir = Path.GetFileName(Path.GetDirectoryName(AppContext.BaseDirectory.TrimEnd('/'))!);
            return Path.Combine(FindRepoRoot(), "tests", "Ama.DataProtectionProbe", "bin", configDir, "net10.0", "Ama.DataProtectionProbe.dll");
        }
    }

    public static (int ExitCode, string Stdout, string Stderr) Run(string store, string keyFile, string command, string argument) =>
        Run(new Dictionary<string, string> { ["AMA_PROBE_STORE"] = store, ["AMA_PROBE_KEY_FILE"] = keyFile }, command, argument);

    /// <summary>Runs the probe with the AMA_PROBE_* variables given (a file store, or a PostgreSQL store with AMA_PROBE_POSTGRES).</summary>
    public static (int ExitCode, string Stdout, string Stderr) Run(IReadOnlyDictionary<string, string> environment, string command, string argument)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(DllPath);
        info.ArgumentList.Add(command);
        info.ArgumentList.Add(argument);
        foreach ((string name, string value) in environment)
        {
            info.Environment[name] = value;
        }

        using Process process = Process.Start(info) ?? throw new InvalidOperationException("The probe did not start.");
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(2)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException("The probe did not finish in time.");
        }

        return (process.ExitCode, stdout.Result.Trim(), stderr.Result);
    }

    private static string FindRepoRoot()
    {
        string? dir = AppContext.BaseDirectory;
        while (dir is not null && !File.Exists(Path.Combine(dir, "Ama.slnx")))
        {
            dir = Path.GetDirectoryName(dir);
        }

        return dir ?? throw new InvalidOperationException("Ama.slnx not found above the test binaries.");
    }
}
