using System.Buffers.Binary;
using System.Globalization;
using System.Security.Cryptography;
using Ama.Cryptography;

namespace Ama.TestHost;

/// <summary>
/// The consumer of issue 18 for the key-hygiene dump tests: a multi-threaded service that keeps every key-in-use
/// type busy, then parks its workers (or disposes everything first) and waits to be dumped.
/// </summary>
internal static class KeyHygieneScenarios
{
    private static readonly byte[] HkdfSalt = "key-hygiene-salt"u8.ToArray();

    private static readonly byte[] HkdfInfo = "key-hygiene-info"u8.ToArray();

    private static readonly byte[] CheckMessage = "key-hygiene-check"u8.ToArray();

    internal static Task<int> RunAsync(string scenario, string[] args) => Task.FromResult(scenario switch
    {
        "keyhygiene-consumer" => Consumer(
            args[0],
            int.Parse(args[1], CultureInfo.InvariantCulture),
            int.Parse(args[2], CultureInfo.InvariantCulture)),
        _ => Unknown(scenario),
    });

    private static int Unknown(string scenario)
    {
        Console.Error.WriteLine($"unknown scenario '{scenario}'");
        return 64;
    }

    /// <summary>
    /// Reads eight random 32-byte keys straight into SecureBuffers (AES-256-GCM, a per-request AES-256-GCM key,
    /// ChaCha20-Poly1305, XChaCha20-Poly1305, HMAC, HKDF IKM, Ed25519 seed, X25519 private key) and prints them
    /// ("key NAME HEX"), so the test can compute every key-equivalent value itself. Prints the public keys
    /// ("public NAME HEX"), three X25519 peers ("peer HEX"), and one output of each primitive over fixed inputs
    /// ("check NAME HEX") so the test can confirm the printed keys are the keys in use. Then WORKERS threads run
    /// ITERATIONS rounds of every operation, each thread finishing on a different one, and park right after it on a
    /// ManualResetEventSlim. MODE "parked" keeps every object alive, and so does MODE "gc-storm", which also collects
    /// garbage back to back until the workers park; MODE "disposed" has each worker dispose its own
    /// objects before it parks and the main thread dispose the shared ones and every key buffer afterwards. Then
    /// prints "parked N" and "ready" and waits for a line (or end of input) before it lets the workers go.
    /// </summary>
    private static int Consumer(string mode, int workerCount, int iterations)
    {
        if (mode is not ("parked" or "disposed" or "gc-storm"))
        {
            Console.Error.WriteLine($"unknown mode '{mode}'");
            return 64;
        }

        var keys = new Keys();
        keys.Print();
        using var release = new ManualResetEventSlim(false);
        using var parked = new CountdownEvent(workerCount);
        var workers = new Thread[workerCount];
        for (int w = 0; w < workerCount; w++)
        {
            int index = w;
            workers[w] = new Thread(() => Work(keys, index, iterations, mode == "disposed", parked, release))
            {
                IsBackground = true,
                Name = $"hyg-worker-{index:D2}",
            };
            workers[w].Start();
        }

        using var storm = new CancellationTokenSource();
        Thread? collector = mode == "gc-storm" ? StartGcStorm(storm.Token) : null;
        parked.Wait();
        storm.Cancel();
        collector?.Join();
        if (mode == "disposed")
        {
            keys.Dispose();
        }

        // The control that must be found: public bytes in an ordinary managed array, alive until the end.
        byte[] marker = keys.Marker;
        Console.WriteLine($"parked {workerCount}");
        Console.WriteLine("ready");
        Console.Out.Flush();
        _ = Console.ReadLine();
        release.Set();
        foreach (Thread worker in workers)
        {
            worker.Join();
        }

        GC.KeepAlive(marker);
        GC.KeepAlive(keys);
        return 0;
    }

    /// <summary>
    /// MODE "gc-storm": collections back to back while the workers run, so that the runtime suspends them (a signal
    /// that saves every register on the stack, and a context the runtime may keep) over and over, wherever they are
    /// in managed code between two key operations.
    /// </summary>
    private static Thread StartGcStorm(CancellationToken stop)
    {
        var collector = new Thread(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                GC.Collect(0, GCCollectionMode.Forced, blocking: true);
            }
        })
        {
            IsBackground = true,
            Name = "hyg-gc-storm",
        };
        collector.Start();
        return collector;
    }

    /// <summary>
    /// One worker: every operation in every round, starting one after its own so that the last operation before it
    /// parks is operation number <paramref name="index"/> (mod the number of operations). What the last call left
    /// in the registers and below the stack pointer is what a parked thread carries into a dump.
    /// </summary>
    private static void Work(Keys keys, int index, int iterations, bool dispose, CountdownEvent parked, ManualResetEventSlim release)
    {
        var worker = new Worker(keys, index);
        int count = Worker.OperationCount;
        for (int round = 0; round < iterations; round++)
        {
            for (int step = 1; step <= count; step++)
            {
                worker.Run((index + step) % count, round);
            }
        }

        if (dispose)
        {
            worker.Dispose();
        }

        parked.Signal();
        release.Wait();
        GC.KeepAlive(worker);
    }

    /// <summary>Reads 32 random bytes straight into secure memory, so no other copy of the key exists.</summary>
    private static SecureBuffer RandomKey()
    {
        var key = new SecureBuffer(32);
        RandomNumberGenerator.Fill(key.Span);
        return key;
    }

    /// <summary>A 12- or 24-byte nonce unique per worker and request (never all zero: the "check" lines use that one).</summary>
    private static byte[] Nonce(int length, int worker, long counter)
    {
        byte[] nonce = new byte[length];
        BinaryPrimitives.WriteInt32LittleEndian(nonce, worker + 1);
        BinaryPrimitives.WriteInt64LittleEndian(nonce.AsSpan(length - 8), counter);
        return nonce;
    }

    /// <summary>The keys, built from SecureBuffers, and the long-lived key objects every worker shares, as a service would.</summary>
    private sealed class Keys : IDisposable
    {
        private readonly SecureBuffer[] buffers;

        internal Keys()
        {
            Aes = RandomKey();
            RequestAes = RandomKey();
            ChaCha = RandomKey();
            XChaCha = RandomKey();
            Hmac = RandomKey();
            Ikm = RandomKey();
            EdSeed = RandomKey();
            XPrivate = RandomKey();
            buffers = [Aes, RequestAes, ChaCha, XChaCha, Hmac, Ikm, EdSeed, XPrivate];
            AesGcm = new SecureAesGcm(Aes);
            ChaChaPoly = new SecureChaCha20Poly1305(ChaCha);
            XChaChaPoly = new SecureXChaCha20Poly1305(XChaCha);
            Signer = SecureEd25519.FromSeed(EdSeed);
            Agreement = SecureX25519.FromPrivateKey(XPrivate);
            EdPublic = Signer.PublicKey.ToArray();
            XPublic = Agreement.PublicKey.ToArray();
            Peers = new byte[3][];
            for (int i = 0; i < Peers.Length; i++)
            {
                using var peer = SecureX25519.Generate();
                Peers[i] = peer.PublicKey.ToArray();
            }

            Marker = RandomNumberGenerator.GetBytes(32);
        }

        internal SecureBuffer Aes { get; }

        internal SecureBuffer RequestAes { get; }

        internal SecureBuffer ChaCha { get; }

        internal SecureBuffer XChaCha { get; }

        internal SecureBuffer Hmac { get; }

        internal SecureBuffer Ikm { get; }

        internal SecureBuffer EdSeed { get; }

        internal SecureBuffer XPrivate { get; }

        internal SecureAesGcm AesGcm { get; }

        internal SecureChaCha20Poly1305 ChaChaPoly { get; }

        internal SecureXChaCha20Poly1305 XChaChaPoly { get; }

        internal SecureEd25519 Signer { get; }

        internal SecureX25519 Agreement { get; }

        internal byte[] EdPublic { get; }

        internal byte[] XPublic { get; }

        internal byte[][] Peers { get; }

        internal byte[] Marker { get; }

        /// <summary>
        /// Prints the raw keys in hex (text is not the bytes the test searches for), the public values, and one
        /// output of each primitive over fixed inputs, computed with the real objects.
        /// </summary>
        internal void Print()
        {
            Line("key", "aes-gcm", Aes.Span);
            Line("key", "request-aes-gcm", RequestAes.Span);
            Line("key", "chacha20-poly1305", ChaCha.Span);
            Line("key", "xchacha20-poly1305", XChaCha.Span);
            Line("key", "hmac", Hmac.Span);
            Line("key", "hkdf-ikm", Ikm.Span);
            Line("key", "ed25519-seed", EdSeed.Span);
            Line("key", "x25519-private", XPrivate.Span);
            Line("public", "ed25519", EdPublic);
            Line("public", "x25519", XPublic);
            Line("public", "marker", Marker);
            foreach (byte[] peer in Peers)
            {
                Console.WriteLine($"peer {Convert.ToHexStringLower(peer)}");
            }

            byte[] sealedBox = new byte[CheckMessage.Length + 16];
            AesGcm.Encrypt(new byte[12], CheckMessage, sealedBox.AsSpan(0, CheckMessage.Length), sealedBox.AsSpan(CheckMessage.Length));
            Line("check", "aes-gcm", sealedBox);
            using (var request = new SecureAesGcm(RequestAes))
            {
                request.Encrypt(new byte[12], CheckMessage, sealedBox.AsSpan(0, CheckMessage.Length), sealedBox.AsSpan(CheckMessage.Length));
            }

            Line("check", "request-aes-gcm", sealedBox);
            ChaChaPoly.Encrypt(new byte[12], CheckMessage, sealedBox.AsSpan(0, CheckMessage.Length), sealedBox.AsSpan(CheckMessage.Length));
            Line("check", "chacha20-poly1305", sealedBox);
            XChaChaPoly.Encrypt(new byte[24], CheckMessage, sealedBox.AsSpan(0, CheckMessage.Length), sealedBox.AsSpan(CheckMessage.Length));
            Line("check", "xchacha20-poly1305", sealedBox);
            foreach (HashAlgorithmName hash in (HashAlgorithmName[])[HashAlgorithmName.SHA256, HashAlgorithmName.SHA512])
            {
                using var hmac = new SecureHmac(hash, Hmac);
                byte[] tag = new byte[hmac.HashSizeInBytes];
                hmac.ComputeHash(CheckMessage, tag);
                Line("check", $"hmac-{hash.Name!.ToLowerInvariant()}", tag);
                using SecureBuffer okm = SecureHkdf.DeriveKey(hash, Ikm, 32, HkdfSalt, CheckMessage);
                Line("check", $"hkdf-{hash.Name!.ToLowerInvariant()}", okm.Span);
            }

            Console.Out.Flush();
        }

        public void Dispose()
        {
            AesGcm.Dispose();
            ChaChaPoly.Dispose();
            XChaChaPoly.Dispose();
            Signer.Dispose();
            Agreement.Dispose();
            foreach (SecureBuffer buffer in buffers)
            {
                buffer.Dispose();
            }
        }

        private static void Line(string kind, string name, ReadOnlySpan<byte> value) =>
            Console.WriteLine($"{kind} {name} {Convert.ToHexStringLower(value)}");
    }

    /// <summary>
    /// What one request thread does. The AEAD and curve objects are shared (they hold no per-call state);
    /// the HMACs are the thread's own, because <see cref="SecureHmac"/> is documented as not thread-safe.
    /// Sizes vary by round so that both the short calls (under 4 KiB, which zero only their measured stack depth)
    /// and the long ones (which zero 8 KiB more) run.
    /// </summary>
    private sealed class Worker : IDisposable
    {
        internal const int OperationCount = 13;

        private static readonly int[] ShortSizes = [0, 64, 200, 511];
        private static readonly int[] LongSizes = [512, 600, 4096, 16 * 1024];

        private readonly Keys keys;
        private readonly int index;
        private readonly SecureHmac sha256;
        private readonly SecureHmac sha512;
        private readonly byte[] data = RandomNumberGenerator.GetBytes(16 * 1024);
        private long counter;

        internal Worker(Keys keys, int index)
        {
            this.keys = keys;
            this.index = index;
            sha256 = new SecureHmac(HashAlgorithmName.SHA256, keys.Hmac);
            sha512 = new SecureHmac(HashAlgorithmName.SHA512, keys.Hmac);
        }

        internal void Run(int operation, int round)
        {
            int shortSize = ShortSizes[round % ShortSizes.Length];
            int longSize = LongSizes[round % LongSizes.Length];
            switch (operation)
            {
                case 0:
                    RoundTrip(keys.AesGcm.Encrypt, keys.AesGcm.Decrypt, 12, shortSize);
                    break;
                case 1:
                    RoundTrip(keys.AesGcm.Encrypt, keys.AesGcm.Decrypt, 12, longSize);
                    break;
                case 2:
                    Tampered(keys.AesGcm.Encrypt, keys.AesGcm.Decrypt, (n, c, t) => keys.AesGcm.DecryptToSecureBuffer(n, c, t), 12, round % 2 == 0 ? shortSize : longSize);
                    break;
                case 3:
                    ToSecureBuffer(keys.AesGcm.Encrypt, (n, c, t) => keys.AesGcm.DecryptToSecureBuffer(n, c, t), 12, round % 2 == 0 ? 32 : longSize);
                    break;
                case 4:
                    RoundTrip(keys.ChaChaPoly.Encrypt, keys.ChaChaPoly.Decrypt, 12, longSize);
                    ToSecureBuffer(keys.ChaChaPoly.Encrypt, (n, c, t) => keys.ChaChaPoly.DecryptToSecureBuffer(n, c, t), 12, longSize);
                    break;
                case 5:
                    RoundTrip(keys.ChaChaPoly.Encrypt, keys.ChaChaPoly.Decrypt, 12, shortSize);
                    Tampered(keys.ChaChaPoly.Encrypt, keys.ChaChaPoly.Decrypt, (n, c, t) => keys.ChaChaPoly.DecryptToSecureBuffer(n, c, t), 12, shortSize);
                    break;
                case 6:
                    RoundTrip(keys.XChaChaPoly.Encrypt, keys.XChaChaPoly.Decrypt, 24, longSize);
                    RoundTrip(keys.XChaChaPoly.Encrypt, keys.XChaChaPoly.Decrypt, 24, shortSize);
                    Tampered(keys.XChaChaPoly.Encrypt, keys.XChaChaPoly.Decrypt, (n, c, t) => keys.XChaChaPoly.DecryptToSecureBuffer(n, c, t), 24, shortSize);
                    ToSecureBuffer(keys.XChaChaPoly.Encrypt, (n, c, t) => keys.XChaChaPoly.DecryptToSecureBuffer(n, c, t), 24, 32);
                    break;
                case 7:
                    Incremental(sha256, shortSize, longSize);
                    break;
                case 8:
                    Incremental(sha512, shortSize, longSize);
                    OneShot(sha256, round % 2 == 0 ? shortSize : longSize);
                    OneShot(sha512, round % 2 == 0 ? shortSize : longSize);
                    break;
                case 9:
                    // SHA-512 first: its AVX2 block function rewrites the xmm registers, so the SHA-256 derivation,
                    // done with SHA-NI, is what the registers of a worker that parks after this hold.
                    using (SecureBuffer okm512 = SecureHkdf.DeriveKey(HashAlgorithmName.SHA512, keys.Ikm, 64, HkdfSalt, HkdfInfo))
                    using (SecureBuffer okm256 = SecureHkdf.DeriveKey(HashAlgorithmName.SHA256, keys.Ikm, 64, HkdfSalt, HkdfInfo))
                    {
                        GC.KeepAlive(okm512);
                        GC.KeepAlive(okm256);
                    }

                    break;
                case 10:
                    byte[] signature = new byte[SecureEd25519.SignatureSize];
                    keys.Signer.Sign(data.AsSpan(0, round % 2 == 0 ? shortSize : longSize), signature);
                    break;
                case 11:
                    using (SecureBuffer shared = keys.Agreement.DeriveSharedSecret(keys.Peers[round % keys.Peers.Length]))
                    {
                        GC.KeepAlive(shared);
                    }

                    break;
                default:
                    // A request that brings its own key: a new cipher, one message, gone again.
                    using (var perRequest = new SecureAesGcm(keys.RequestAes))
                    {
                        RoundTrip(perRequest.Encrypt, perRequest.Decrypt, 12, shortSize);
                    }

                    break;
            }
        }

        public void Dispose()
        {
            sha256.Dispose();
            sha512.Dispose();
        }

        private static void Incremental(SecureHmac hmac, int shortSize, int longSize)
        {
            byte[] tag = new byte[hmac.HashSizeInBytes];
            byte[] message = new byte[longSize];
            hmac.AppendData(message.AsSpan(0, shortSize));
            hmac.AppendData(message.AsSpan(0, Math.Min(1024, longSize)));
            hmac.AppendData(message);
            hmac.GetHashAndReset(tag);
            hmac.AppendData(message.AsSpan(0, shortSize));
            hmac.GetHashAndReset(tag);
        }

        private static void OneShot(SecureHmac hmac, int size)
        {
            byte[] message = new byte[size];
            byte[] tag = new byte[hmac.HashSizeInBytes];
            hmac.ComputeHash(message, tag);
            if (!hmac.Verify(message, tag))
            {
                throw new InvalidOperationException("an HMAC did not verify");
            }
        }

        private void RoundTrip(Seal seal, Open open, int nonceLength, int size)
        {
            byte[] nonce = Nonce(nonceLength, index, counter++);
            byte[] ciphertext = new byte[size];
            byte[] plaintext = new byte[size];
            byte[] tag = new byte[16];
            seal(nonce, data.AsSpan(0, size), ciphertext, tag, default);
            open(nonce, ciphertext, tag, plaintext, default);
        }

        private void Tampered(Seal seal, Open open, OpenToSecureBuffer openToBuffer, int nonceLength, int size)
        {
            byte[] nonce = Nonce(nonceLength, index, counter++);
            byte[] ciphertext = new byte[size];
            byte[] tag = new byte[16];
            seal(nonce, data.AsSpan(0, size), ciphertext, tag, default);
            tag[0] ^= 1;
            try
            {
                open(nonce, ciphertext, tag, new byte[size], default);
                throw new InvalidOperationException("a tampered tag was accepted");
            }
            catch (AuthenticationTagMismatchException)
            {
            }

            try
            {
                openToBuffer(nonce, ciphertext, tag).Dispose();
                throw new InvalidOperationException("a tampered tag was accepted");
            }
            catch (AuthenticationTagMismatchException)
            {
            }
        }

        private void ToSecureBuffer(Seal seal, OpenToSecureBuffer openToBuffer, int nonceLength, int size)
        {
            byte[] nonce = Nonce(nonceLength, index, counter++);
            byte[] ciphertext = new byte[size];
            byte[] tag = new byte[16];
            seal(nonce, data.AsSpan(0, size), ciphertext, tag, default);
            using SecureBuffer opened = openToBuffer(nonce, ciphertext, tag);
            GC.KeepAlive(opened);
        }
    }

    private delegate void Seal(ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> plaintext, Span<byte> ciphertext, Span<byte> tag, ReadOnlySpan<byte> associatedData);

    private delegate void Open(ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> ciphertext, ReadOnlySpan<byte> tag, Span<byte> plaintext, ReadOnlySpan<byte> associatedData);

    private delegate SecureBuffer OpenToSecureBuffer(ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> ciphertext, ReadOnlySpan<byte> tag);
}
