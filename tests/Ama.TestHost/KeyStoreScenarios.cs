using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Ama.Cryptography;
using Ama.Cryptography.KeyManagement;

namespace Ama.TestHost;

/// <summary>Child-process scenarios for the key store tests: reopen, crash loop, concurrent writers, dumps.</summary>
internal static class KeyStoreScenarios
{
    internal static Task<int> RunAsync(string scenario, string[] args) => Task.FromResult(scenario switch
    {
        "keystore-read" => Read(args[0], args[1]),
        "keystore-writer" => Write(args[0], args[1], args[2], int.Parse(args[3], CultureInfo.InvariantCulture), int.Parse(args[4], CultureInfo.InvariantCulture)),
        "keystore-writer-in-place" => WriteInPlace(args[0], args[1], args[2], int.Parse(args[3], CultureInfo.InvariantCulture), int.Parse(args[4], CultureInfo.InvariantCulture)),
        "keystore-dump" => HoldAfterUse(args[0], args[1], args[2]),
        "keystore-dump-open" => HoldOpen(Seeds(args)),
        "keystore-open-or-create" => OpenOrCreateAndStore(args[0], args[1], args[2]),
        _ => Unknown(scenario),
    });

    /// <summary>The value the writer stores under a name, so that the test can check it without talking to the child.</summary>
    internal static byte[] ValueFor(string name) => SHA256.HashData(Encoding.UTF8.GetBytes(name));

    private static int Unknown(string scenario)
    {
        Console.Error.WriteLine($"unknown scenario '{scenario}'");
        return 64;
    }

    /// <summary>Opens or creates the store, stores NAME (<see cref="ValueFor"/>), and prints "id STORE-ID-HEX".</summary>
    private static int OpenOrCreateAndStore(string path, string keyHex, string name)
    {
        using var credential = KeyStoreCredential.FromKey(Convert.FromHexString(keyHex));
        using var storage = SecureKeyStorage.OpenOrCreate(path, credential);
        storage.Store(name, ValueFor(name));
        Console.WriteLine($"id {Convert.ToHexStringLower(storage.StateForTests.StoreId)}");
        return 0;
    }

    /// <summary>Prints "entry NAME VERSION SHA256-OF-KEY" for every version, then "done".</summary>
    private static int Read(string path, string keyHex)
    {
        using var credential = KeyStoreCredential.FromKey(Convert.FromHexString(keyHex));
        using var storage = SecureKeyStorage.Open(path, credential);
        foreach (string name in storage.ListKeys())
        {
            foreach (var info in storage.ListVersions(name))
            {
                using var key = storage.Retrieve(name, info.Version);
                Console.WriteLine($"entry {name} {info.Version} {Convert.ToHexStringLower(SHA256.HashData(key.Span))}");
            }
        }

        Console.WriteLine("done");
        return 0;
    }

    /// <summary>Stores PREFIX{i} for i from START, COUNT times (forever if negative), printing "ack i" after each commit returns.</summary>
    private static int Write(string path, string keyHex, string prefix, int start, int count) =>
        StoreLoop(path, keyHex, prefix, start, count, afterEachStore: static () => { });

    /// <summary>
    /// The crash test's negative control: the same acknowledgements as "keystore-writer", from a writer that is
    /// deliberately NOT crash-safe. It stores into a private shadow copy of the file, then rewrites the real file
    /// in place (truncate, then small chunks with a pause between them) and only then prints "ack i", so a
    /// SIGKILL in that window leaves the real file truncated.
    /// </summary>
    private static int WriteInPlace(string path, string keyHex, string prefix, int start, int count)
    {
        string shadow = MakeShadowCopy(path);
        return StoreLoop(shadow, keyHex, prefix, start, count, afterEachStore: () => RewriteInPlace(path, File.ReadAllBytes(shadow)));
    }

    private static int StoreLoop(string path, string keyHex, string prefix, int start, int count, Action afterEachStore)
    {
        using var credential = KeyStoreCredential.FromKey(Convert.FromHexString(keyHex));
        using var storage = SecureKeyStorage.Open(path, credential);
        if (count < 0)
        {
            // Warm up (JIT, AES-GCM, the lock file) so that the crash test's kills land in the write loop.
            storage.Store("warmup", [1]);
            afterEachStore();
        }

        Console.WriteLine("ready");
        Console.Out.Flush();
        for (int i = start; count < 0 || i < start + count; i++)
        {
            string name = prefix + i.ToString(CultureInfo.InvariantCulture);
            storage.Store(name, ValueFor(name));
            afterEachStore();
            Console.WriteLine($"ack {i}");
            Console.Out.Flush();
        }

        Console.WriteLine("done");
        return 0;
    }

    /// <summary>Copies the store into a subdirectory of its own, so the shadow's lock and temp files stay out of the test's way.</summary>
    private static string MakeShadowCopy(string path)
    {
        string directory = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(path))!, "in-place-shadow");
        Directory.CreateDirectory(directory);
        string shadow = Path.Combine(directory, Path.GetFileName(path));
        File.Copy(path, shadow, overwrite: true);
        return shadow;
    }

    /// <summary>
    /// What a naive writer does: truncate and write over the live file. Unbuffered writes reach the page cache at
    /// once, so whatever was written before a SIGKILL is what a reader finds; the pauses widen the window.
    /// </summary>
    private static void RewriteInPlace(string path, byte[] contents)
    {
        const int ChunkBytes = 64;
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Write, FileShare.ReadWrite, bufferSize: 0);
        stream.SetLength(0);
        for (int offset = 0; offset < contents.Length; offset += ChunkBytes)
        {
            stream.Write(contents, offset, Math.Min(ChunkBytes, contents.Length - offset));
            Thread.Sleep(1);
        }
    }

    /// <summary>The 32-byte pattern for a seed; the dump test computes the same bytes without passing them through argv.</summary>
    internal static void FillPattern(Span<byte> destination, int seed)
    {
        for (int i = 0; i < destination.Length; i++)
        {
            destination[i] = unchecked((byte)(((seed + i) * 167) ^ (i * 29) ^ (seed >> 3)));
        }
    }

    /// <summary>
    /// Stores and retrieves a key with pattern KEYSEED in an in-memory storage and disposes everything; uses an
    /// AesGcm with key pattern PROBESEED and disposes it; keeps a plain array with pattern CONTROLSEED alive.
    /// Then prints "ready" and waits on stdin so that the test can dump the process.
    /// </summary>
    private static int HoldAfterUse(string keySeed, string probeSeed, string controlSeed)
    {
        byte[] control = new byte[32];
        FillPattern(control, int.Parse(controlSeed, CultureInfo.InvariantCulture));
        UseStorage(int.Parse(keySeed, CultureInfo.InvariantCulture));
        UseAesGcm(int.Parse(probeSeed, CultureInfo.InvariantCulture));
        CollectThenWaitForDump();
        GC.KeepAlive(control);
        return 0;
    }

    private static void UseStorage(int seed)
    {
        Span<byte> key = stackalloc byte[32];
        FillPattern(key, seed);
        using (var storage = new SecureKeyStorage(RandomNumberGenerator.GetBytes(32)))
        {
            storage.Store("dump-test", key);
            SecureMemory.Zero(key);
            using SecureBuffer retrieved = storage.Retrieve("dump-test");
            storage.RotateDataKey();
            using SecureBuffer again = storage.Retrieve("dump-test");
            Console.WriteLine($"retrieved {retrieved.Span.SequenceEqual(again.Span)}");
        }
    }

    private static int[] Seeds(string[] args) => [.. args.Select(a => int.Parse(a, CultureInfo.InvariantCulture))];

    /// <summary>
    /// Opens an in-memory storage whose data key is pattern DATASEED (the caller's array is pinned and zeroed
    /// at once, so only the storage's copies remain), stores and retrieves a value with pattern VALUESEED, and
    /// keeps the storage open. As a negative control it keeps a live AesGcm over key pattern PROBESEED (what a
    /// long-lived OpenSSL context leaves in the heap) and a plain array with pattern CONTROLSEED.
    /// Prints "sodium True|False", "retrieved True|False" and "ready", then waits on stdin.
    /// </summary>
    private static int HoldOpen(int[] seeds)
    {
        byte[] control = new byte[32];
        FillPattern(control, seeds[3]);
        byte[] dataKey = GC.AllocateArray<byte>(32, pinned: true);
        FillPattern(dataKey, seeds[0]);
        using var storage = new SecureKeyStorage(dataKey);
        SecureMemory.Zero(dataKey);
        Console.WriteLine($"sodium {Ama.Cryptography.KeyManagement.SodiumEntryAead.IsAvailable}");
        Console.WriteLine($"retrieved {StoreAndRetrieve(storage, seeds[1])}");
        using var probeKey = new SecureBuffer(32);
        FillPattern(probeKey.Span, seeds[2]);
        using var probe = new AesGcm(probeKey.Span, 16);
        probeKey.Dispose();
        CollectThenWaitForDump();
        GC.KeepAlive(control);
        GC.KeepAlive(probe);
        return 0;
    }

    private static bool StoreAndRetrieve(SecureKeyStorage storage, int seed)
    {
        Span<byte> value = stackalloc byte[32];
        FillPattern(value, seed);
        storage.Store("dump-test", value);
        using SecureBuffer retrieved = storage.Retrieve("dump-test");
        bool same = retrieved.Span.SequenceEqual(value);
        SecureMemory.Zero(value);
        return same;
    }

    /// <summary>Measures what .NET's AesGcm (OpenSSL) leaves behind of its key after Dispose.</summary>
    private static void UseAesGcm(int seed)
    {
        using var key = new SecureBuffer(32);
        FillPattern(key.Span, seed);
        Span<byte> tag = stackalloc byte[16];
        Span<byte> data = stackalloc byte[32];
        using (var aes = new AesGcm(key.Span, 16))
        {
            aes.Encrypt(new byte[12], data, data, tag);
        }
    }

    /// <summary>Lets finalizers run so only live secrets remain, then says "ready" and waits while the test dumps.</summary>
    private static void CollectThenWaitForDump()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        Console.WriteLine("ready");
        Console.Out.Flush();
        _ = Console.ReadLine();
    }
}
