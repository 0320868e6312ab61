using System.Globalization;
using Ama.Cryptography.KeyManagement;

namespace Ama.TestHost;

/// <summary>
/// Issue 23, finding 6: the key store's memory at scale, measured in a process of its own so that
/// the peak resident set (VmHWM) is the key store's and not the test runner's.
/// </summary>
internal static class KeyStoreScaleScenarios
{
    private const int KeySize = 1 << 20;

    internal static Task<int> RunAsync(string scenario, string[] args) => Task.FromResult(scenario switch
    {
        "scale-keystore-build" => Build(args[0], args[1], int.Parse(args[2], CultureInfo.InvariantCulture)),
        "scale-keystore-measure" => Measure(args[0], args[1]),
        "scale-keystore-write" => WriteOnce(args[0], args[1], args[2]),
        "scale-keystore-store-time" => StoreTime(args[0], args[1], int.Parse(args[2], CultureInfo.InvariantCulture)),
        _ => Unknown(scenario),
    });

    private static int Unknown(string scenario)
    {
        Console.Error.WriteLine($"unknown scenario '{scenario}'");
        return 64;
    }

    /// <summary>Creates a store of about <paramref name="mebibytes"/> MiB: keys of 1 MiB, written 8 to a batch.</summary>
    private static int Build(string path, string keyHex, int mebibytes)
    {
        using var credential = KeyStoreCredential.FromKey(Convert.FromHexString(keyHex));
        using var storage = SecureKeyStorage.Create(path, credential);
        var material = new byte[KeySize];
        for (int i = 0; i < mebibytes; i += 8)
        {
            using KeyStoreBatch batch = storage.BeginBatch();
            for (int j = i; j < Math.Min(i + 8, mebibytes); j++)
            {
                BitConverter.TryWriteBytes(material, j);
                batch.Store("bulk-" + j.ToString("D5", CultureInfo.InvariantCulture), material);
            }

            batch.Commit();
        }

        return 0;
    }

    /// <summary>
    /// Creates a store of <paramref name="entries"/> 32-byte keys in one batch, then times 50 single
    /// Stores of a 32-byte key and prints "median MS p90 MS" (a quick figure, not BenchmarkDotNet).
    /// </summary>
    private static int StoreTime(string path, string keyHex, int entries)
    {
        using var credential = KeyStoreCredential.FromKey(Convert.FromHexString(keyHex));
        using var storage = SecureKeyStorage.Create(path, credential);
        var material = new byte[32];
        using (KeyStoreBatch batch = storage.BeginBatch())
        {
            for (int i = 0; i < entries; i++)
            {
                batch.Store("k" + i.ToString("D7", CultureInfo.InvariantCulture), material);
            }

            batch.Commit();
        }

        var times = new List<double>();
        for (int i = 0; i < 50; i++)
        {
            var watch = System.Diagnostics.Stopwatch.StartNew();
            storage.Store("timed", material);
            times.Add(watch.Elapsed.TotalMilliseconds);
        }

        times.Sort();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"median {times[25]:F1} p90 {times[45]:F1}"));
        return 0;
    }

    /// <summary>Opens the store, stores one small key under <paramref name="name"/>, and exits.</summary>
    private static int WriteOnce(string path, string keyHex, string name)
    {
        using var credential = KeyStoreCredential.FromKey(Convert.FromHexString(keyHex));
        using var storage = SecureKeyStorage.Open(path, credential);
        storage.Store(name, new byte[32]);
        return 0;
    }

    /// <summary>
    /// Opens the store, has another process write to it, refreshes, and writes, then prints
    /// "size BYTES hwm KIB": the file's size and this process's peak resident set since just
    /// before the open (VmHWM reset through /proc/self/clear_refs, so the runtime's start-up does
    /// not count and the figure is the key store's work).
    /// </summary>
    private static int Measure(string path, string keyHex)
    {
        byte[] key = Convert.FromHexString(keyHex);
        File.WriteAllText("/proc/self/clear_refs", "5");
        using (var credential = KeyStoreCredential.FromKey(key))
        using (var storage = SecureKeyStorage.Open(path, credential))
        {
            long opened = storage.Generation;
            RunWriter(path, keyHex, "written-by-another-process");
            storage.Refresh();
            if (storage.Generation != opened + 1)
            {
                Console.Error.WriteLine($"refresh read generation {storage.Generation}, expected {opened + 1}");
                return 1;
            }

            storage.Store("written-by-this-process", new byte[32]);
        }

        long size = new FileInfo(path).Length;
        Console.WriteLine($"size {size} hwm {PeakKiB()}");
        return 0;
    }

    /// <summary>Runs this program's scale-keystore-write scenario in a process of its own, so its memory is not counted here.</summary>
    private static void RunWriter(string path, string keyHex, string name)
    {
        var start = new System.Diagnostics.ProcessStartInfo(Environment.ProcessPath!) { UseShellExecute = false };
        string entry = typeof(KeyStoreScaleScenarios).Assembly.Location;
        if (!Path.GetFileNameWithoutExtension(Environment.ProcessPath!).Equals(Path.GetFileNameWithoutExtension(entry), StringComparison.Ordinal))
        {
            // Run through the dotnet host: the program is its first argument.
            start.ArgumentList.Add(entry);
        }

        foreach (string arg in (string[])["scale-keystore-write", path, keyHex, name])
        {
            start.ArgumentList.Add(arg);
        }

        using var writer = System.Diagnostics.Process.Start(start)!;
        writer.WaitForExit();
        if (writer.ExitCode != 0)
        {
            throw new InvalidOperationException($"the writer process exited with {writer.ExitCode}");
        }
    }

    private static long PeakKiB()
    {
        foreach (string line in File.ReadLines("/proc/self/status"))
        {
            if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
            {
                return long.Parse(line.AsSpan(6).Trim().TrimEnd("kB").Trim(), CultureInfo.InvariantCulture);
            }
        }

        throw new InvalidOperationException("/proc/self/status has no VmHWM line");
    }
}
