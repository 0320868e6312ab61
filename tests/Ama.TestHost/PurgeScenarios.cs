using System.Globalization;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using Ama.Cryptography;
using Ama.Cryptography.Tests.Infrastructure;

namespace Ama.TestHost;

/// <summary>
/// Child-process scenarios for SecureMemory.PurgeAll and PurgeOnExit. PurgeAll wipes every secure allocation of
/// the process, so these never run inside the test runner, whose other tests hold secure memory of their own.
/// </summary>
internal static class PurgeScenarios
{
    private static int lastMoment;

    internal static Task<int> RunAsync(string scenario, string[] args) => Task.FromResult(scenario switch
    {
        "purge-check" => Check(args[0]),
        "purge-hold" => Hold(args),
        _ => Unknown(scenario),
    });

    /// <summary>
    /// Holds a slab buffer with the pattern of seed and a guarded buffer with the pattern of seed + 1, then
    /// waits for a signal (mode "signal") or throws an unhandled exception (mode "throw"). At the last moment it can
    /// reach (its own ProcessExit handler, which runs after the library's, or its own signal handler, which runs when
    /// the library lets the signal through) it prints EXITING and waits for a line on stdin, so the test can dump it.
    /// Args: seed purgeOnExit(true|false) mode(signal|throw).
    /// </summary>
    private static int Hold(string[] args)
    {
        int seed = int.Parse(args[0], CultureInfo.InvariantCulture);
        bool purge = bool.Parse(args[1]);
        bool throwing = args[2] == "throw";

        // Registered before the library's hooks, so the library's signal handler runs first.
        PosixSignalRegistration[] own = throwing
            ? []
            : [.. new[] { PosixSignal.SIGINT, PosixSignal.SIGQUIT, PosixSignal.SIGTERM }.Select(s => PosixSignalRegistration.Create(s, _ => LastMoment()))];

        var slab = new SecureBuffer(Pattern.Length);
        var guarded = new SecureBuffer(Pattern.Length, new SecureBufferOptions { Guarded = true });
        Pattern.Fill(slab.Span, seed);
        Pattern.Fill(guarded.Span, seed + 1);
        SecureMemory.PurgeOnExit = purge;

        // Subscribed after the library's hook, which the first allocation installed: runs after the purge.
        AppDomain.CurrentDomain.ProcessExit += (_, _) => LastMoment();

        Console.WriteLine($"INFO {slab}; {guarded}");
        if (throwing)
        {
            Console.WriteLine("THROWING");
            Console.Out.Flush();
            throw new InvalidOperationException("the unhandled exception of the purge-hold scenario");
        }

        Console.WriteLine("READY");
        Console.Out.Flush();
        Thread.Sleep(Timeout.Infinite);
        GC.KeepAlive(own);
        GC.KeepAlive(slab);
        GC.KeepAlive(guarded);
        return 0;
    }

    private static void LastMoment()
    {
        if (Interlocked.Exchange(ref lastMoment, 1) != 0)
        {
            return;
        }

        Console.WriteLine("EXITING");
        Console.Out.Flush();
        _ = Console.In.ReadLine();
    }

    private static int Check(string name)
    {
        try
        {
            string? failure = name switch
            {
                "buffers" => Buffers(),
                "aead" => Aead(),
                "keys" => Keys(),
                "enclave" => Enclave(),
                "stale-span" => StaleSpan(),
                "concurrent" => Concurrent(),
                _ => $"unknown check '{name}'",
            };
            Console.WriteLine(failure is null ? "PASS" : $"FAIL {failure}");
            return failure is null ? 0 : 1;
        }
        catch (Exception e)
        {
            Console.WriteLine($"FAIL {e}");
            return 1;
        }
    }

    // A slab buffer, a guarded one, a no-access one and a read-only one: all zeroed, counted and disposed.
    private static unsafe string? Buffers()
    {
        var slab = new SecureBuffer(48);
        var guarded = new SecureBuffer(48, new SecureBufferOptions { Guarded = true });
        var noAccess = new SecureBuffer(48, new SecureBufferOptions { Guarded = true });
        var readOnly = new SecureBuffer(48, new SecureBufferOptions { Guarded = true });
        using var disposedBefore = new SecureBuffer(48);
        SecureBuffer[] all = [slab, guarded, noAccess, readOnly];
        foreach (SecureBuffer b in all)
        {
            b.Span.Fill(0xA5);
        }

        noAccess.MakeNoAccess();
        readOnly.MakeReadOnly();
        disposedBefore.Dispose();
        nint[] addresses = [.. all.Select(b => b.UnsafeAddress)];

        int wiped = SecureMemory.PurgeAll();
        if (wiped != all.Length)
        {
            return $"PurgeAll returned {wiped}, expected {all.Length}";
        }

        for (int i = 0; i < all.Length; i++)
        {
            if (!all[i].IsDisposed)
            {
                return $"buffer {i} is not disposed after the purge";
            }

            // The purged memory stays mapped (zeroed) by design, so reading it is safe.
            if (new ReadOnlySpan<byte>((void*)addresses[i], 48).ContainsAnyExcept((byte)0))
            {
                return $"buffer {i} still holds bytes after the purge";
            }

            try
            {
                _ = all[i].Span;
                return $"buffer {i}'s Span did not throw after the purge";
            }
            catch (ObjectDisposedException)
            {
            }

            all[i].Dispose();
        }

        return SecureMemory.PurgeAll() == 0 ? null : "a second PurgeAll found buffers to wipe";
    }

    // Every AEAD must throw after a purge, never encrypt under a zeroed key.
    private static string? Aead()
    {
        byte[] key = RandomNumberGenerator.GetBytes(32);
        var aes = new SecureAesGcm(key);
        var chacha = new SecureChaCha20Poly1305(key);
        var xchacha = new SecureXChaCha20Poly1305(key);
        var aegis256 = new SecureAegis256(key);
        var aegis128L = new SecureAegis128L(key.AsSpan(0, SecureAegis128L.KeySizeInBytes));
        byte[] plaintext = new byte[32];
        byte[] ciphertext = new byte[32];
        byte[] tag = new byte[16];
        aes.Encrypt(new byte[12], plaintext, ciphertext, tag);

        SecureMemory.PurgeAll();
        string? failure = ExpectDisposed("SecureAesGcm.Encrypt", () => aes.Encrypt(new byte[12], plaintext, ciphertext, tag))
            ?? ExpectDisposed("SecureAesGcm.Decrypt", () => aes.Decrypt(new byte[12], ciphertext, tag, plaintext))
            ?? ExpectDisposed("SecureChaCha20Poly1305.Encrypt", () => chacha.Encrypt(new byte[12], plaintext, ciphertext, tag))
            ?? ExpectDisposed("SecureXChaCha20Poly1305.Encrypt", () => xchacha.Encrypt(new byte[24], plaintext, ciphertext, tag))
            ?? ExpectDisposed("SecureAegis256.Encrypt", () => aegis256.Encrypt(new byte[32], plaintext, ciphertext, new byte[32]))
            ?? ExpectDisposed("SecureAegis128L.Decrypt", () => aegis128L.Decrypt(new byte[16], ciphertext, new byte[32], plaintext));
        aes.Dispose();
        chacha.Dispose();
        xchacha.Dispose();
        aegis256.Dispose();
        aegis128L.Dispose();
        return failure;
    }

    private static string? Keys()
    {
        byte[] key = RandomNumberGenerator.GetBytes(32);
        var hmac = new SecureHmac(HashAlgorithmName.SHA256, key);
        var ed = SecureEd25519.Generate();
        var x = SecureX25519.Generate();
        byte[] peer = SecureX25519.Generate().PublicKey.ToArray();

        SecureMemory.PurgeAll();
        return ExpectDisposed("SecureHmac.ComputeHash", () => hmac.ComputeHash([1, 2, 3], new byte[32]))
            ?? ExpectDisposed("SecureEd25519.Sign", () => ed.Sign([1, 2, 3], new byte[64]))
            ?? ExpectDisposed("SecureX25519.DeriveSharedSecret", () => x.DeriveSharedSecret(peer).Dispose())
            ?? ExpectDisposed("SecureHkdf.DeriveKey", () => SecureHkdf.DeriveKey(HashAlgorithmName.SHA256, DisposedBuffer(), 32).Dispose());
    }

    private static SecureBuffer DisposedBuffer()
    {
        var buffer = new SecureBuffer(32);
        SecureMemory.PurgeAll();
        return buffer;
    }

    // An enclave sealed before the purge cannot be opened after it; one sealed after it round-trips under a new key.
    private static string? Enclave()
    {
        byte[] secret = RandomNumberGenerator.GetBytes(32);
        using SecureEnclave before = SecureEnclave.Seal(secret);
        using (SecureBuffer opened = before.Open())
        {
            if (!opened.Span.SequenceEqual(secret))
            {
                return "the enclave did not round-trip before the purge";
            }
        }

        SecureMemory.PurgeAll();
        string? failure = ExpectDisposed("SecureEnclave.Open", () => before.Open().Dispose());
        if (failure is not null)
        {
            return failure;
        }

        using SecureEnclave after = SecureEnclave.Seal(secret);
        using SecureBuffer reopened = after.Open();
        return reopened.Span.SequenceEqual(secret) ? null : "an enclave sealed after the purge did not round-trip";
    }

    // A span kept across the purge writes into its own zeroed memory, never into a buffer allocated afterwards.
    private static string? StaleSpan()
    {
        var held = new SecureBuffer(64);
        var heldGuarded = new SecureBuffer(64, new SecureBufferOptions { Guarded = true });
        Span<byte> stale = held.Span;
        Span<byte> staleGuarded = heldGuarded.Span;
        SecureMemory.PurgeAll();

        var fresh = new List<SecureBuffer>();
        for (int i = 0; i < 256; i++)
        {
            var b = new SecureBuffer(64, new SecureBufferOptions { Guarded = i % 2 == 0 });
            b.Span.Fill(0x3C);
            fresh.Add(b);
        }

        stale.Fill(0xEE);
        staleGuarded.Fill(0xEE);
        string? failure = fresh.Any(b => b.Span.ContainsAnyExcept((byte)0x3C)) ? "a write through a stale span reached a new buffer" : null;
        fresh.ForEach(b => b.Dispose());
        return failure;
    }

    // Threads encrypt while another purges: each call succeeds or throws ObjectDisposedException, and nothing crashes.
    private static string? Concurrent()
    {
        byte[] key = RandomNumberGenerator.GetBytes(32);
        using var aes = new SecureAesGcm(key);
        using var ready = new CountdownEvent(2);
        int disposedCalls = 0;
        string? failure = null;
        Thread[] workers = [.. Enumerable.Range(0, 2).Select(_ => new Thread(() =>
        {
            byte[] plaintext = new byte[4096];
            byte[] ciphertext = new byte[4096];
            byte[] tag = new byte[16];
            ready.Signal();
            while (true)
            {
                try
                {
                    aes.Encrypt(new byte[12], plaintext, ciphertext, tag);
                }
                catch (ObjectDisposedException)
                {
                    Interlocked.Increment(ref disposedCalls);
                    return;
                }
                catch (Exception e)
                {
                    failure = e.ToString();
                    return;
                }
            }
        }))];
        foreach (Thread t in workers)
        {
            t.Start();
        }

        ready.Wait();
        SecureMemory.PurgeAll();
        foreach (Thread t in workers)
        {
            t.Join();
        }

        return failure ?? (disposedCalls == workers.Length ? null : $"{disposedCalls} of {workers.Length} workers saw ObjectDisposedException");
    }

    private static string? ExpectDisposed(string what, Action action)
    {
        try
        {
            action();
            return $"{what} did not throw after the purge";
        }
        catch (ObjectDisposedException)
        {
            return null;
        }
        catch (Exception e)
        {
            return $"{what} threw {e.GetType().Name} instead of ObjectDisposedException: {e.Message}";
        }
    }

    private static int Unknown(string scenario)
    {
        Console.Error.WriteLine($"unknown scenario '{scenario}'");
        return 64;
    }
}
