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

    public static (int ExitCode, string Stdout, string Stderr) Run(string store, string keyFile, string command, string argument)
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
        info.Environment["AMA_PROBE_STORE"] = store;
        info.Environment["AMA_PROBE_KEY_FILE"] = keyFile;
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
