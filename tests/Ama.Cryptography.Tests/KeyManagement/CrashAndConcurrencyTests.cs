using System.Diagnostics;
using System.Globalization;
using Ama.Cryptography.KeyManagement;
using Ama.Cryptography.Tests.Infrastructure;
using static Ama.Cryptography.Tests.KeyManagement.KeyStoreTestSupport;

namespace Ama.Cryptography.Tests.KeyManagement;

/// <summary>Writers in child processes: killed with SIGKILL mid-write, and two at once.</summary>
public sealed class CrashAndConcurrencyTests : IDisposable
{
    private readonly TempKeyStoreDirectory dir = new();
    private readonly byte[] key = RandomKey();

    public void Dispose() => dir.Dispose();

    [Fact]
    public void Every_acknowledged_write_survives_SIGKILL_at_random_moments()
    {
        int trials = int.TryParse(Environment.GetEnvironmentVariable("AMA_CRASH_TRIALS"), out int n) ? n : 100;
        using (CreateWithKey(dir.File(), key))
        {
        }

        var random = new Random();
        var acknowledged = new List<int>();
        int next = 0;
        int killedMidRun = 0;
        var budget = Stopwatch.StartNew();
        for (int trial = 0; trial < trials; trial++)
        {
            using var host = TestHost.Start("keystore-writer", dir.File(), Convert.ToHexString(key), "k", next.ToString(CultureInfo.InvariantCulture), "-1");
            host.WaitForLine("ready");
            Thread.Sleep(random.Next(0, 60));
            host.Process.Kill(); // SIGKILL on Unix
            host.Process.WaitForExit();
            string rest = host.Process.StandardOutput.ReadToEnd();
            var acks = rest.Split('\n', StringSplitOptions.RemoveEmptyEntries)
                .Where(l => l.StartsWith("ack ", StringComparison.Ordinal))
                .Select(l => int.Parse(l[4..], CultureInfo.InvariantCulture)).ToList();
            acknowledged.AddRange(acks);
            next += acks.Count + 1; // the write in flight at the kill may or may not have landed; skip its name
            killedMidRun += host.Process.ExitCode != 0 ? 1 : 0;

            using var storage = OpenWithKey(dir.File(), key);
            foreach (int i in acks)
            {
                Assert.Equal(ValueFor($"k{i}"), RetrieveBytes(storage, $"k{i}"));
            }
        }

        using (var storage = OpenWithKey(dir.File(), key))
        {
            Assert.All(acknowledged, i => Assert.True(storage.Contains($"k{i}"), $"k{i} was acknowledged but is missing"));
        }

        Assert.Equal(trials, killedMidRun);
        Assert.True(acknowledged.Count > trials / 2, $"only {acknowledged.Count} writes were acknowledged in {trials} trials ({budget.Elapsed})");
        if (!OperatingSystem.IsWindows())
        {
            // A temp file orphaned by the last kill was private from its first byte.
            foreach (string temp in Directory.GetFiles(dir.Path, "*.tmp"))
            {
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(temp));
            }
        }
    }

    [Fact]
    public async Task Two_processes_storing_500_names_each_at_once_lose_nothing()
    {
        using (CreateWithKey(dir.File(), key))
        {
        }

        var infos = new[] { "a", "b" }.Select(prefix =>
            TestHost.StartInfo("keystore-writer", [dir.File(), Convert.ToHexString(key), prefix, "0", "500"])).ToList();
        var runs = infos.Select(info => Task.Run(() => TestHost.Run(info, TimeSpan.FromMinutes(2)))).ToArray();
        foreach (var (exitCode, _, stderr) in await Task.WhenAll(runs))
        {
            Assert.True(exitCode == 0, stderr);
        }

        using var storage = OpenWithKey(dir.File(), key);
        var names = storage.ListKeys();
        Assert.Equal(1000, names.Count);
        foreach (string prefix in new[] { "a", "b" })
        {
            for (int i = 0; i < 500; i++)
            {
                Assert.Equal(ValueFor($"{prefix}{i}"), RetrieveBytes(storage, $"{prefix}{i}"));
            }
        }

        Assert.Equal(1001, storage.Generation);
    }
}
