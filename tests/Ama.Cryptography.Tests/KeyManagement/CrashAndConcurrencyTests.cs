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

    /// <summary>Trials of the negative control: it stops at the first damage it finds, usually in the first trial or two.</summary>
    private const int ControlTrials = 20;

    private enum TrialOutcome
    {
        Intact,
        FileDamaged,
        AcknowledgedWriteLost,
    }

    [Fact]
    public void Every_acknowledged_write_survives_SIGKILL_at_random_moments()
    {
        int trials = int.TryParse(Environment.GetEnvironmentVariable("AMA_CRASH_TRIALS"), out int n) ? n : 100;
        using (CreateWithKey(dir.File(), key))
        {
        }

        var loop = new KillLoop("keystore-writer", dir.File(), key);
        var budget = Stopwatch.StartNew();
        for (int trial = 0; trial < trials; trial++)
        {
            var acks = loop.StartAndKill();
            AssertIntact(Inspect(dir.File(), key, acks));
        }

        AssertIntact(Inspect(dir.File(), key, loop.Acknowledged));
        Assert.Equal(trials, loop.KilledMidRun);
        Assert.True(loop.Acknowledged.Count > trials / 2, $"only {loop.Acknowledged.Count} writes were acknowledged in {trials} trials ({budget.Elapsed})");
        if (!OperatingSystem.IsWindows())
        {
            // A temp file orphaned by the last kill was private from its first byte.
            foreach (string temp in Directory.GetFiles(dir.Path, "*.tmp"))
            {
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(temp));
            }
        }
    }

    /// <summary>
    /// Negative control for the test above: the same kill loop and the same inspection, against a writer that
    /// rewrites the file in place. If the harness never sees damage here, it could not see it in the real writer either.
    /// </summary>
    [Fact]
    public void Kill_loop_catches_a_writer_that_rewrites_the_file_in_place()
    {
        using (CreateWithKey(dir.File(), key))
        {
        }

        var loop = new KillLoop("keystore-writer-in-place", dir.File(), key);
        var found = (Outcome: TrialOutcome.Intact, Detail: "");
        int trial = 0;
        while (found.Outcome == TrialOutcome.Intact && trial < ControlTrials)
        {
            trial++;
            var acks = loop.StartAndKill();
            found = Inspect(dir.File(), key, acks);
        }

        Assert.True(found.Outcome != TrialOutcome.Intact, $"the kill loop found no damage in {ControlTrials} kills of a writer that is not crash-safe ({loop.Acknowledged.Count} writes acknowledged)");
        Assert.Equal(trial, loop.KilledMidRun);
    }

    private static void AssertIntact((TrialOutcome Outcome, string Detail) found) =>
        Assert.True(found.Outcome == TrialOutcome.Intact, $"{found.Outcome}: {found.Detail}");

    /// <summary>
    /// What a trial left behind: the file does not open (or an entry does not decrypt), an acknowledged name is
    /// missing or holds the wrong value, or all is well. Only KeyStoreDamagedException counts as damage; any other
    /// exception escapes and fails the test.
    /// </summary>
    private static (TrialOutcome Outcome, string Detail) Inspect(string path, byte[] key, IEnumerable<int> acknowledged)
    {
        SecureKeyStorage storage;
        try
        {
            storage = OpenWithKey(path, key);
        }
        catch (KeyStoreDamagedException e)
        {
            return (TrialOutcome.FileDamaged, e.Message);
        }

        using (storage)
        {
            foreach (string name in acknowledged.Select(i => $"k{i}"))
            {
                if (!storage.Contains(name))
                {
                    return (TrialOutcome.AcknowledgedWriteLost, $"{name} was acknowledged but is missing");
                }

                byte[] value;
                try
                {
                    value = RetrieveBytes(storage, name);
                }
                catch (KeyStoreDamagedException e)
                {
                    return (TrialOutcome.FileDamaged, e.Message);
                }

                if (!value.AsSpan().SequenceEqual(ValueFor(name)))
                {
                    return (TrialOutcome.AcknowledgedWriteLost, $"{name} was acknowledged but holds another value");
                }
            }
        }

        return (TrialOutcome.Intact, "");
    }

    /// <summary>
    /// Starts a writer scenario that stores k{next}, k{next+1}, ... forever, and SIGKILLs it a random 0-60 ms
    /// after its 0th, 1st or 2nd acknowledgement (chosen at random; the 0th is "ready"). Counting the writer's own
    /// acknowledgements keeps the kills among the writes on a loaded machine, where a wall-clock window alone
    /// often ended before the first write did (14 acknowledgements in 100 trials).
    /// </summary>
    private sealed class KillLoop(string scenario, string path, byte[] key)
    {
        private readonly Random random = new();
        private int next;

        public List<int> Acknowledged { get; } = [];

        public int KilledMidRun { get; private set; }

        /// <summary>Runs one trial and returns the numbers the writer acknowledged before it died.</summary>
        public List<int> StartAndKill()
        {
            using var host = TestHost.Start(scenario, path, Convert.ToHexString(key), "k", next.ToString(CultureInfo.InvariantCulture), "-1");
            host.WaitForLine("ready");
            var acks = new List<int>();
            for (int awaited = random.Next(0, 3); awaited > 0; awaited--)
            {
                acks.Add(int.Parse(host.WaitForLine("ack "), CultureInfo.InvariantCulture));
            }

            Thread.Sleep(random.Next(0, 60));
            host.Process.Kill(); // SIGKILL on Unix
            host.Process.WaitForExit();
            string rest = host.Process.StandardOutput.ReadToEnd();
            acks.AddRange(rest.Split('\n', StringSplitOptions.RemoveEmptyEntries)
                .Where(l => l.StartsWith("ack ", StringComparison.Ordinal))
                .Select(l => int.Parse(l[4..], CultureInfo.InvariantCulture)));
            Acknowledged.AddRange(acks);
            next += acks.Count + 1; // the write in flight at the kill may or may not have landed; skip its name
            KilledMidRun += host.Process.ExitCode != 0 ? 1 : 0;
            return acks;
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
