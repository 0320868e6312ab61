using System.Diagnostics;
using Ama.Cryptography.Tests.Infrastructure;

namespace Ama.Cryptography.Hosting.Tests.Infrastructure;

/// <summary>Runs tests/Ama.HealthProbe as a child process (optionally through a wrapper such as prlimit/setpriv) and gives its URL.</summary>
public sealed class ProbeProcess : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);
    private readonly Process process;

    private ProbeProcess(Process process, Uri url, IReadOnlyList<string> linesBefore)
    {
        this.process = process;
        Url = url;
        LinesBefore = linesBefore;
    }

    public Uri Url { get; }

    /// <summary>The lines the probe printed before "listening", such as its environment report.</summary>
    public IReadOnlyList<string> LinesBefore { get; }

    public static string ProbeDll(string directory) => Path.Combine(directory, "Ama.HealthProbe.dll");

    public static async Task<ProbeProcess> StartAsync(
        string probeDirectory, IReadOnlyDictionary<string, string?> environment, IReadOnlyList<string>? wrapper = null)
    {
        var info = new ProcessStartInfo(wrapper is { Count: > 0 } ? wrapper[0] : "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = probeDirectory,
        };
        foreach (string argument in wrapper?.Skip(1) ?? [])
        {
            info.ArgumentList.Add(argument);
        }

        if (wrapper is { Count: > 0 })
        {
            info.ArgumentList.Add(Tools.Find("dotnet") ?? "dotnet");
        }

        info.ArgumentList.Add(ProbeDll(probeDirectory));
        info.ArgumentList.Add("--urls");
        info.ArgumentList.Add("http://127.0.0.1:0");
        info.Environment.Remove("AMA_MEMORY_SOURCE");
        info.Environment["DOTNET_NOLOGO"] = "1";
        foreach ((string name, string? value) in environment)
        {
            info.Environment[name] = value;
        }

        var process = Process.Start(info) ?? throw new InvalidOperationException("dotnet did not start.");
        var errors = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(StartTimeout);
        var before = new List<string>();
        try
        {
            while (await process.StandardOutput.ReadLineAsync(timeout.Token) is { } line)
            {
                if (line.StartsWith("listening ", StringComparison.Ordinal))
                {
                    return new ProbeProcess(process, new Uri(line["listening ".Length..]), before);
                }

                before.Add(line);
            }
        }
        catch (OperationCanceledException)
        {
        }

        process.Kill(entireProcessTree: true);
        await process.WaitForExitAsync(CancellationToken.None);
        throw new InvalidOperationException($"The probe did not start (exit {process.ExitCode}): {await errors}");
    }

    public async ValueTask DisposeAsync()
    {
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
        }

        await process.WaitForExitAsync(CancellationToken.None);
        process.Dispose();
    }
}
