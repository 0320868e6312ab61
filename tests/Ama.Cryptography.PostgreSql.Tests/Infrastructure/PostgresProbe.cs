using System.Collections.Concurrent;
using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;

namespace Ama.Cryptography.PostgreSql.Tests.Infrastructure;

/// <summary>
/// tests/Ama.PostgresProbe as a child process (`dotnet Ama.PostgresProbe.dll write|read ...`): its
/// "ack NAME" lines (each printed only after Store returned) and its other output are collected
/// as they arrive, so a test may kill it at any moment and still know what was acknowledged.
/// </summary>
public sealed class PostgresProbe : IDisposable
{
    private readonly Process process;
    private readonly ConcurrentQueue<string> acknowledged = new();
    private readonly ConcurrentQueue<string> output = new();
    private readonly StringBuilder errors = new();
    private readonly TaskCompletionSource firstAck = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource reading = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly object generationGate = new();
    private long generation = -1;
    private bool outputEnded;
    private readonly Task stdoutDone;
    private readonly Task stderrDone;

    private PostgresProbe(Process process)
    {
        this.process = process;
        stdoutDone = Task.Run(ReadOutputAsync);
        stderrDone = Task.Run(ReadErrorsAsync);
    }

    /// <summary>The value the probe stores under <paramref name="name"/>: SHA-256 of the name.</summary>
    public static byte[] ValueOf(string name) => SHA256.HashData(Encoding.UTF8.GetBytes(name));

    public static string DllPath
    {
        get
        {
            // Built next to the tests by the ProjectReference (ReferenceOutputAssembly=false).
            string configDir = Path.GetFileName(Path.GetDirectoryName(AppContext.BaseDirectory.TrimEnd('/'))!);
            string? root = AppContext.BaseDirectory;
            while (root is not null && !File.Exists(Path.Combine(root, "Ama.slnx")))
            {
                root = Path.GetDirectoryName(root);
            }

            return Path.Combine(
                root ?? throw new InvalidOperationException("Ama.slnx not found above the test binaries."),
                "tests", "Ama.PostgresProbe", "bin", configDir, "net10.0", "Ama.PostgresProbe.dll");
        }
    }

    /// <summary>Names the writer acknowledged so far (all of them once <see cref="WaitForExit"/> returned).</summary>
    public IReadOnlyList<string> Acknowledged => [.. acknowledged];

    /// <summary>Completes when the first "ack" line arrives.</summary>
    public Task FirstAck => firstAck.Task;

    /// <summary>Completes when a reader has verified its first read ("reading"), or its output ended.</summary>
    public Task Reading => reading.Task;

    public bool HasExited => process.HasExited;

    public int ExitCode => process.ExitCode;

    /// <summary>Everything the probe printed that was not an ack, and its standard error.</summary>
    public string Transcript
    {
        get
        {
            lock (errors)
            {
                return string.Join('\n', output) + "\n--- stderr ---\n" + errors;
            }
        }
    }

    public static PostgresProbe Write(string connectionString, string store, byte[] key, string prefix, int count) =>
        Start("write", connectionString, store, Convert.ToHexString(key), prefix, count.ToString(System.Globalization.CultureInfo.InvariantCulture));

    /// <summary>As <see cref="Write"/>, after opening the store with OpenOrCreate (creating it when it is missing).</summary>
    public static PostgresProbe OpenOrCreateAndWrite(string connectionString, string store, byte[] key, string prefix, int count) =>
        Start("create-write", connectionString, store, Convert.ToHexString(key), prefix, count.ToString(System.Globalization.CultureInfo.InvariantCulture));

    public static PostgresProbe Read(string connectionString, string store, byte[] key, double seconds) =>
        Start("read", connectionString, store, Convert.ToHexString(key), seconds.ToString(System.Globalization.CultureInfo.InvariantCulture));

    /// <summary>A process that opens the store and only watches it; its "generation N" lines feed <see cref="WaitForGeneration"/>.</summary>
    public static PostgresProbe Watch(string connectionString, string store, byte[] key) =>
        Start("watch", connectionString, store, Convert.ToHexString(key));

    /// <summary>The CPU time (user and system, all threads) the probe has used so far.</summary>
    public TimeSpan CpuTime
    {
        get
        {
            process.Refresh();
            return process.TotalProcessorTime;
        }
    }

    /// <summary>Waits until a watching probe reports a generation of at least <paramref name="atLeast"/> (woken by its output, not polled); false at the bound or when its output ended.</summary>
    public bool WaitForGeneration(long atLeast, TimeSpan within)
    {
        var clock = Stopwatch.StartNew();
        lock (generationGate)
        {
            while (generation < atLeast)
            {
                TimeSpan left = within - clock.Elapsed;
                if (left <= TimeSpan.Zero || outputEnded || !Monitor.Wait(generationGate, left))
                {
                    return generation >= atLeast;
                }
            }

            return true;
        }
    }

    /// <summary>Closes the probe's standard input: a reader then finishes its current pass and prints its result.</summary>
    public void CloseInput() => process.StandardInput.Close();

    /// <summary>SIGKILL, then waits for the output pipes to drain.</summary>
    public void Kill()
    {
        try
        {
            process.Kill();
        }
        catch (InvalidOperationException)
        {
            // It had already exited.
        }

        WaitForExit(TimeSpan.FromSeconds(30));
    }

    /// <summary>Waits for the process to end and its output to be read whole; false on timeout.</summary>
    public bool WaitForExit(TimeSpan timeout)
    {
        if (!process.WaitForExit(timeout))
        {
            return false;
        }

        return Task.WaitAll([stdoutDone, stderrDone], timeout);
    }

    public void Dispose()
    {
        if (!process.HasExited)
        {
            Kill();
        }

        process.Dispose();
    }

    private static PostgresProbe Start(params string[] arguments)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(DllPath);
        foreach (string argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        return new PostgresProbe(Process.Start(info) ?? throw new InvalidOperationException("dotnet did not start."));
    }

    private async Task ReadOutputAsync()
    {
        while (await process.StandardOutput.ReadLineAsync() is { } line)
        {
            if (line.StartsWith("ack ", StringComparison.Ordinal))
            {
                acknowledged.Enqueue(line[4..]);
                firstAck.TrySetResult();
            }
            else if (line == "reading")
            {
                reading.TrySetResult();
            }
            else if (line.StartsWith("generation ", StringComparison.Ordinal))
            {
                lock (generationGate)
                {
                    generation = long.Parse(line.AsSpan("generation ".Length), System.Globalization.CultureInfo.InvariantCulture);
                    Monitor.PulseAll(generationGate);
                }
            }
            else
            {
                output.Enqueue(line);
            }
        }

        firstAck.TrySetResult();
        reading.TrySetResult();
        lock (generationGate)
        {
            outputEnded = true;
            Monitor.PulseAll(generationGate);
        }
    }

    private async Task ReadErrorsAsync()
    {
        while (await process.StandardError.ReadLineAsync() is { } line)
        {
            lock (errors)
            {
                errors.AppendLine(line);
            }
        }
    }
}
