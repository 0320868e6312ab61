using System.Diagnostics;
using System.Text;

namespace Ama.WebSample.Tests;

/// <summary>
/// One running samples/Ama.WebSample process on http://127.0.0.1 with a port the kernel picks.
/// Its output is collected so a failed start can be reported with what the app said.
/// </summary>
public sealed class SampleInstance : IDisposable
{
    private readonly Process process;
    private readonly StringBuilder output = new();
    private readonly TaskCompletionSource<Uri> listening = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private SampleInstance(Process process)
    {
        this.process = process;
        process.OutputDataReceived += (_, e) => OnLine(e.Data);
        process.ErrorDataReceived += (_, e) => OnLine(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public Uri BaseAddress => listening.Task.Result;

    public string Output
    {
        get
        {
            lock (output)
            {
                return output.ToString();
            }
        }
    }

    /// <summary>The sample's build output, next to the tests' configuration.</summary>
    public static string AppDirectory
    {
        get
        {
            string configDir = Path.GetFileName(Path.GetDirectoryName(AppContext.BaseDirectory.TrimEnd('/'))!);
            return Path.Combine(RepoRoot, "samples", "Ama.WebSample", "bin", configDir, "net10.0");
        }
    }

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

    /// <summary>Starts the sample with a key store and key file, optionally behind a wrapper (setpriv, prlimit), from another copy of the app, and with more arguments (which win over the ones before).</summary>
    public static SampleInstance Start(
        string storePath,
        string keyFile,
        IDictionary<string, string?>? environment = null,
        IEnumerable<string>? wrapper = null,
        string? appDirectory = null,
        IEnumerable<string>? arguments = null)
    {
        string directory = appDirectory ?? AppDirectory;
        var info = new ProcessStartInfo
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = directory,
        };
        var argv = new List<string>(wrapper ?? []);
        argv.AddRange(["dotnet", Path.Combine(directory, "Ama.WebSample.dll"), "--urls", "http://127.0.0.1:0",
            $"--Ama:KeyStore:Path={storePath}", $"--Ama:KeyStore:KeyFile={keyFile}"]);
        argv.AddRange(arguments ?? []);
        info.FileName = argv[0];
        foreach (string arg in argv.Skip(1))
        {
            info.ArgumentList.Add(arg);
        }

        // Console logs without colour, so "Now listening on:" can be read.
        info.Environment["DOTNET_CONSOLE_ANSI_COLOR"] = "false";
        info.Environment["Logging__Console__FormatterName"] = "simple";
        info.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        foreach ((string key, string? value) in environment ?? new Dictionary<string, string?>())
        {
            info.Environment[key] = value;
        }

        return new SampleInstance(Process.Start(info) ?? throw new InvalidOperationException("dotnet did not start."));
    }

    /// <summary>Waits until Kestrel listens; throws with the app's output if it exits or takes too long.</summary>
    public async Task<Uri> WaitUntilListeningAsync(TimeSpan? timeout = null)
    {
        var exited = process.WaitForExitAsync();
        var first = await Task.WhenAny(listening.Task, exited, Task.Delay(timeout ?? TimeSpan.FromSeconds(60)));
        if (first == listening.Task)
        {
            return listening.Task.Result;
        }

        throw new InvalidOperationException($"The sample did not start listening (exited: {process.HasExited}). Output:\n{Output}");
    }

    /// <summary>Waits for the process to end by itself; returns its exit code.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        await process.WaitForExitAsync(cancel.Token);
        process.WaitForExit();
        return process.ExitCode;
    }

    public HttpClient CreateClient(System.Net.CookieContainer? cookies = null) =>
        new(new HttpClientHandler { CookieContainer = cookies ?? new System.Net.CookieContainer(), UseCookies = true })
        {
            BaseAddress = BaseAddress,
            Timeout = TimeSpan.FromSeconds(30),
        };

    public void Dispose()
    {
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
        }

        process.Dispose();
    }

    private void OnLine(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (output)
        {
            output.AppendLine(line);
        }

        const string Marker = "Now listening on: ";
        int at = line.IndexOf(Marker, StringComparison.Ordinal);
        if (at >= 0)
        {
            listening.TrySetResult(new Uri(line[(at + Marker.Length)..].Trim()));
        }
    }
}
