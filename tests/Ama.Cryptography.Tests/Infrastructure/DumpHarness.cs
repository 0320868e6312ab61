using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Ama.Cryptography.Tests.Infrastructure;

/// <summary>The dump writers that can carry a secret to disk.</summary>
public enum DumpKind
{
    CreatedumpFull,
    CreatedumpWithHeap,
    Gcore,
}

/// <summary>Dumps a live process with the real tools and counts a byte pattern in the dump.</summary>
public static class DumpHarness
{
    /// <summary>The runtime's own dump writer, next to System.Private.CoreLib.dll.</summary>
    public static string CreatedumpPath => Tools.Require(Path.Combine(RuntimeEnvironment.GetRuntimeDirectory(), "createdump"));

    /// <summary>Writes a dump of <paramref name="pid"/> into <paramref name="directory"/> and returns its path.</summary>
    public static string Dump(int pid, DumpKind kind, string directory)
    {
        string path = Path.Combine(directory, $"{kind}-{pid}-{Guid.NewGuid():N}.dmp");
        (string tool, string[] args) = kind switch
        {
            DumpKind.CreatedumpFull => (CreatedumpPath, new[] { "--full", "-f", path, pid.ToString(System.Globalization.CultureInfo.InvariantCulture) }),
            DumpKind.CreatedumpWithHeap => (CreatedumpPath, new[] { "--withheap", "-f", path, pid.ToString(System.Globalization.CultureInfo.InvariantCulture) }),
            _ => (Tools.Require("gcore"), new[] { "-o", path, pid.ToString(System.Globalization.CultureInfo.InvariantCulture) }),
        };

        RunTool(tool, args);

        // gcore appends ".PID" to the name it is given.
        string written = kind == DumpKind.Gcore ? $"{path}.{pid}" : path;
        Assert.True(File.Exists(written), $"{kind} wrote no dump at {written}");
        Assert.True(new FileInfo(written).Length > 1024 * 1024, $"{kind} wrote a suspiciously small dump");
        return written;
    }

    /// <summary>Counts the occurrences of <paramref name="pattern"/> in a file, streaming it in chunks.</summary>
    public static int CountOccurrences(string path, ReadOnlySpan<byte> pattern)
    {
        const int ChunkSize = 16 * 1024 * 1024;
        byte[] chunk = new byte[ChunkSize + pattern.Length];
        using FileStream stream = File.OpenRead(path);
        int count = 0;
        int carried = 0;
        while (true)
        {
            int read = stream.ReadAtLeast(chunk.AsSpan(carried, ChunkSize), ChunkSize, throwOnEndOfStream: false);
            int filled = carried + read;
            count += CountIn(chunk.AsSpan(0, filled), pattern);
            if (read < ChunkSize)
            {
                return count;
            }

            // Keep the tail so a match across the chunk border is seen once, in the next round.
            carried = pattern.Length - 1;
            chunk.AsSpan(filled - carried, carried).CopyTo(chunk);
        }
    }

    private static int CountIn(ReadOnlySpan<byte> data, ReadOnlySpan<byte> pattern)
    {
        int count = 0;
        int index;
        while ((index = data.IndexOf(pattern)) >= 0)
        {
            count++;
            data = data[(index + 1)..];
        }

        return count;
    }

    private static void RunTool(string tool, string[] args)
    {
        var info = new ProcessStartInfo(tool) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        using Process process = Process.Start(info)!;
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        Assert.True(process.WaitForExit(TimeSpan.FromMinutes(2)), $"{tool} did not finish");
        Assert.True(process.ExitCode == 0, $"{tool} failed ({process.ExitCode}): {stdout.Result} {stderr.Result}");
    }
}
