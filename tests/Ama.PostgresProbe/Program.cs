using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Ama.Cryptography.KeyManagement;
using Npgsql;

// A process that writes to or reads from one PostgreSQL key store, for the tests that kill it,
// restart the server under it, or run several of it at once. Each key's value is SHA-256 of its
// name, so a reader can verify every key it sees without talking to the writers.
return args switch
{
    ["write", var connection, var store, var keyHex, var prefix, var count] =>
        Probe.Write(connection, store, Convert.FromHexString(keyHex), prefix, int.Parse(count, CultureInfo.InvariantCulture)),
    ["create-write", var connection, var store, var keyHex, var prefix, var count] =>
        Probe.Write(connection, store, Convert.FromHexString(keyHex), prefix, int.Parse(count, CultureInfo.InvariantCulture), openOrCreate: true),
    ["read", var connection, var store, var keyHex, var seconds] =>
        Probe.Read(connection, store, Convert.FromHexString(keyHex), TimeSpan.FromSeconds(double.Parse(seconds, CultureInfo.InvariantCulture))),
    ["watch", var connection, var store, var keyHex] =>
        Probe.Watch(connection, store, Convert.FromHexString(keyHex)),
    _ => Probe.Usage(),
};

internal static class Probe
{
    // How long a writer keeps retrying one failed Store (a server restart takes a few seconds).
    private static readonly TimeSpan GiveUpAfter = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan RetryPause = TimeSpan.FromMilliseconds(100);

    public static byte[] ValueOf(string name) => SHA256.HashData(Encoding.UTF8.GetBytes(name));

    public static int Usage()
    {
        Console.Error.WriteLine("usage: write|create-write <conn> <store> <keyhex> <prefix> <count> | read <conn> <store> <keyhex> <seconds> | watch <conn> <store> <keyhex>");
        return 2;
    }

    /// <summary>
    /// Stores prefix-0 .. prefix-(count-1); a failed Store is tried again, fresh, after a pause. Only acknowledged names are printed.
    /// With <paramref name="openOrCreate"/> the store is opened or created by one OpenOrCreate call, not retried: a lost creation race must not fail.
    /// </summary>
    public static int Write(string connectionString, string storeName, byte[] key, string prefix, int count, bool openOrCreate = false)
    {
        using var dataSource = NpgsqlDataSource.Create(connectionString);
        using var credential = KeyStoreCredential.FromKey(key);
        using var storage = openOrCreate
            ? PostgreSqlKeyStorage.OpenOrCreate(dataSource, storeName, credential)
            : Retrying("open", () => PostgreSqlKeyStorage.Open(dataSource, storeName, credential));
        if (storage is null)
        {
            return 1;
        }

        for (int i = 0; i < count; i++)
        {
            string name = string.Create(CultureInfo.InvariantCulture, $"{prefix}-{i}");
            if (Retrying("store " + name, () => (object)storage.Store(name, ValueOf(name))) is null)
            {
                return 1;
            }

            Console.Out.WriteLine("ack " + name);
            Console.Out.Flush();
        }

        return 0;
    }

    /// <summary>
    /// Refreshes and verifies until the time is up or standard input closes: every listed key has
    /// its value, the generation and key count never go back. Prints "reading" once the first read
    /// is verified, so that a test can start its writers only then.
    /// </summary>
    public static int Read(string connectionString, string storeName, byte[] key, TimeSpan duration)
    {
        using var dataSource = NpgsqlDataSource.Create(connectionString);
        using var credential = KeyStoreCredential.FromKey(key);
        var stop = new CancellationTokenSource();
        _ = Task.Run(() =>
        {
            Console.In.ReadToEnd();
            stop.Cancel();
        });
        var clock = Stopwatch.StartNew();
        long reads = 0;
        long lastGeneration = 0;
        int lastCount = 0;
        try
        {
            using var storage = PostgreSqlKeyStorage.Open(dataSource, storeName, credential);
            while (clock.Elapsed < duration && !stop.IsCancellationRequested)
            {
                // Alternately the long-lived instance (Refresh, and the notifications) and a fresh Open.
                if (reads % 2 == 0)
                {
                    storage.Refresh();
                    Verify(storage, ref lastGeneration, ref lastCount);
                }
                else
                {
                    using var fresh = PostgreSqlKeyStorage.Open(dataSource, storeName, credential);
                    Verify(fresh, ref lastGeneration, ref lastCount);
                }

                if (reads++ == 0)
                {
                    Console.Out.WriteLine("reading");
                    Console.Out.Flush();
                }

                // A short pause: the readers verify all the while without starving the writers of CPU.
                Thread.Sleep(20);
            }
        }
        catch (Exception e) when (e is KeyStoreException or InvalidOperationException)
        {
            Console.Error.WriteLine($"fail after {reads} reads: {e.GetType().Name}: {e.Message}");
            return 1;
        }

        Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"ok {reads} generation {lastGeneration} keys {lastCount}"));
        return 0;
    }

    /// <summary>
    /// Opens the store once and only watches it, as an idle service instance does, until standard
    /// input closes: prints "generation N" whenever the generation it holds changes (so only the
    /// listener's refreshes move it). The test reads the process's CPU time from outside.
    /// </summary>
    public static int Watch(string connectionString, string storeName, byte[] key)
    {
        using var dataSource = NpgsqlDataSource.Create(connectionString);
        using var credential = KeyStoreCredential.FromKey(key);
        // Not disposed: the task below may cancel it while the process ends.
        var stop = new CancellationTokenSource();
        _ = Task.Run(() =>
        {
            Console.In.ReadToEnd();
            stop.Cancel();
        });
        try
        {
            using var storage = PostgreSqlKeyStorage.Open(dataSource, storeName, credential);
            long printed = -1;
            do
            {
                long generation = storage.Generation;
                if (generation != printed)
                {
                    Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"generation {generation}"));
                    Console.Out.Flush();
                    printed = generation;
                }
            }
            // A 5 ms poll: the latency it adds is far below the 1 s being measured, and its CPU cost is the same with or without a flood.
            while (!stop.Token.WaitHandle.WaitOne(5));
        }
        catch (KeyStoreException e)
        {
            Console.Error.WriteLine($"fail: {e.GetType().Name}: {e.Message}");
            return 1;
        }

        Console.Out.WriteLine("ok");
        return 0;
    }

    private static void Verify(SecureKeyStorage storage, ref long lastGeneration, ref int lastCount)
    {
        long generation = storage.Generation;
        var names = storage.ListKeys();
        if (generation < lastGeneration)
        {
            throw new InvalidOperationException($"the generation went back from {lastGeneration} to {generation}");
        }

        if (names.Count < lastCount)
        {
            throw new InvalidOperationException($"the key count went back from {lastCount} to {names.Count} (writers only add)");
        }

        foreach (string name in names)
        {
            using var value = storage.Retrieve(name);
            if (!value.Span.SequenceEqual(ValueOf(name)))
            {
                throw new InvalidOperationException($"key {name} does not hold the value its name implies");
            }
        }

        lastGeneration = generation;
        lastCount = names.Count;
    }

    /// <summary>Runs <paramref name="attempt"/> until it succeeds; a store reported damaged or a wrong credential ends it at once. Null when it gave up.</summary>
    private static T? Retrying<T>(string what, Func<T> attempt)
        where T : class
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                return attempt();
            }
            catch (KeyStoreException e) when (e is not KeyStoreDamagedException and not KeyStoreCredentialException && clock.Elapsed < GiveUpAfter)
            {
                Console.Error.WriteLine($"retry {what}: {e.Message}");
                Thread.Sleep(RetryPause);
            }
            catch (KeyStoreException e)
            {
                Console.Error.WriteLine($"fail {what}: {e.GetType().Name}: {e.Message}");
                return null;
            }
        }
    }
}
