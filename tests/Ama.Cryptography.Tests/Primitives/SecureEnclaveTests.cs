using System.Security.Cryptography;
using Ama.Cryptography.Primitives;
using Ama.Cryptography.Tests.Infrastructure;

namespace Ama.Cryptography.Tests.Primitives;

/// <summary>
/// SecureEnclave: round trips, tampering, Dispose, concurrency with re-randomisation of the process's
/// enclave key, and that the key's representation in secure memory changes while it keeps opening old enclaves.
/// </summary>
public sealed class SecureEnclaveTests
{
    private const int TagSize = 16;

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(32)]
    [InlineData(1 << 20)]
    public void Seal_then_Open_gives_back_the_secret(int length)
    {
        byte[] secret = RandomNumberGenerator.GetBytes(length);
        using var enclave = SecureEnclave.Seal(secret);
        Assert.Equal(length, enclave.Length);
        Assert.Equal(length + TagSize, enclave.SealedBytes.Length);
        using SecureBuffer opened = enclave.Open();
        Assert.True(opened.Span.SequenceEqual(secret));
        using SecureBuffer again = enclave.Open();
        Assert.True(again.Span.SequenceEqual(secret));
    }

    [Fact]
    public void The_ciphertext_is_not_the_secret_and_two_seals_differ()
    {
        byte[] secret = Enumerable.Repeat((byte)0x5a, 32).ToArray();
        using var first = SecureEnclave.Seal(secret);
        using var second = SecureEnclave.Seal(secret);
        Assert.False(first.SealedBytes[..32].SequenceEqual(secret));
        Assert.False(first.SealedBytes.SequenceEqual(second.SealedBytes));
        Assert.NotEqual(first.Nonce, second.Nonce);
    }

    [Fact]
    public void Nonces_come_from_a_counter_and_never_repeat()
    {
        const int Count = 10_000;
        var nonces = new HashSet<ulong>();
        ulong previous = 0;
        for (int i = 0; i < Count; i++)
        {
            using var enclave = SecureEnclave.Seal(new byte[i % 40]);
            Assert.True(enclave.Nonce > previous, $"nonce {enclave.Nonce} after {previous}");
            previous = enclave.Nonce;
            Assert.True(nonces.Add(enclave.Nonce));
        }

        Assert.Equal(Count, nonces.Count);
    }

    [Fact]
    public void A_wiped_key_page_as_in_a_forked_child_refuses_to_seal_or_open()
    {
        // The wipe loses the process's key for good, so it runs in a child process.
        (int exit, string stdout, string stderr) = TestHost.Run(TestHost.StartInfo("enclave-wiped"));
        Assert.True(exit == 0, $"exit {exit}: {stdout} {stderr}");

        // Control: before the wipe, the child sealed and opened.
        Assert.Equal("before ok seal InvalidOperationException open InvalidOperationException", stdout.Trim());
    }

    [Fact]
    public void Seal_of_a_SecureBuffer_copies_and_leaves_the_buffer_to_the_caller()
    {
        using var source = new SecureBuffer(32);
        RandomNumberGenerator.Fill(source.Span);
        byte[] expected = source.Span.ToArray();
        using var enclave = SecureEnclave.Seal(source);
        Assert.False(source.IsDisposed);
        source.Span.Clear();
        source.Dispose();
        using SecureBuffer opened = enclave.Open();
        Assert.True(opened.Span.SequenceEqual(expected));
    }

    [Fact]
    public void Seal_of_a_null_or_disposed_SecureBuffer_throws()
    {
        Assert.Throws<ArgumentNullException>(() => SecureEnclave.Seal((SecureBuffer)null!));
        var disposed = new SecureBuffer(8);
        disposed.Dispose();
        Assert.Throws<ObjectDisposedException>(() => SecureEnclave.Seal(disposed));
    }

    [Theory]
    [InlineData(32)]
    [InlineData(33)]
    public void Changing_any_bit_of_nonce_or_byte_of_ciphertext_or_tag_makes_Open_throw_without_the_secret(int length)
    {
        byte[] secret = RandomNumberGenerator.GetBytes(length);
        using var enclave = SecureEnclave.Seal(secret);
        for (int i = 0; i < enclave.SealedBytes.Length; i++)
        {
            enclave.SealedBytes[i] ^= 0x01;
            AssertTampered(enclave, secret);
            enclave.SealedBytes[i] ^= 0x01;
        }

        for (int bit = 0; bit < 64; bit++)
        {
            enclave.Nonce ^= 1UL << bit;
            AssertTampered(enclave, secret);
            enclave.Nonce ^= 1UL << bit;
        }

        // Control: restored, it opens.
        using SecureBuffer opened = enclave.Open();
        Assert.True(opened.Span.SequenceEqual(secret));
    }

    [Theory]
    [InlineData(32)]
    [InlineData(33)]
    public void Dispose_zeroes_the_ciphertext_and_later_use_throws(int length)
    {
        var enclave = SecureEnclave.Seal(RandomNumberGenerator.GetBytes(length));
        Span<byte> bytes = enclave.SealedBytes;
        Assert.True(bytes.ContainsAnyExcept((byte)0));
        enclave.Dispose();
        Assert.False(bytes.ContainsAnyExcept((byte)0));
        Assert.Equal(0UL, enclave.Nonce);
        Assert.Throws<ObjectDisposedException>(() => enclave.Open());
        Assert.Throws<ObjectDisposedException>(() => enclave.Length);
        Assert.Equal("SecureEnclave(disposed)", enclave.ToString());
        enclave.Dispose();
    }

    /// <summary>
    /// An Open that races a Dispose must give the secret or ObjectDisposedException: never a false report of
    /// tampering (the zeroed bytes fail to verify), and never a read past the object when the long form's
    /// array is cleared under it. Both sides start together at a barrier, so each round is a real race.
    /// </summary>
    [Theory]
    [InlineData(32)]
    [InlineData(100)]
    public async Task An_Open_racing_a_Dispose_gives_the_secret_or_ObjectDisposedException(int length)
    {
        byte[] secret = RandomNumberGenerator.GetBytes(length);
        using var barrier = new Barrier(2);
        var unexpected = new List<string>();
        int opened = 0;
        int disposedSeen = 0;
        for (int round = 0; round < 20_000; round++)
        {
            var enclave = SecureEnclave.Seal(secret);
            var open = Task.Run(() =>
            {
                barrier.SignalAndWait(TestContext.Current.CancellationToken);
                try
                {
                    using SecureBuffer plaintext = enclave.Open();
                    if (!plaintext.Span.SequenceEqual(secret))
                    {
                        lock (unexpected) { unexpected.Add("a wrong secret"); }
                    }

                    Interlocked.Increment(ref opened);
                }
                catch (ObjectDisposedException)
                {
                    Interlocked.Increment(ref disposedSeen);
                }
                catch (Exception e)
                {
                    lock (unexpected) { unexpected.Add(e.GetType().Name + ": " + e.Message); }
                }
            }, TestContext.Current.CancellationToken);
            barrier.SignalAndWait(TestContext.Current.CancellationToken);
            enclave.Dispose();
            await open;
        }

        Assert.Empty(unexpected.Distinct());
        Assert.Equal(20_000, opened + disposedSeen);
    }

    [Fact]
    public void Rerandomisation_changes_both_halves_but_not_the_key_and_old_enclaves_still_open()
    {
        byte[] secret = RandomNumberGenerator.GetBytes(32);
        using var enclave = SecureEnclave.Seal(secret);
        EnclaveKey key = EnclaveKey.Instance;
        byte[] before = key.CopyRepresentation();
        key.Rerandomise();
        byte[] after = key.CopyRepresentation();

        Assert.False(before.AsSpan(0, 32).SequenceEqual(after.AsSpan(0, 32)));
        Assert.False(before.AsSpan(32).SequenceEqual(after.AsSpan(32)));
        Assert.True(Combined(before).AsSpan().SequenceEqual(Combined(after)));
        using SecureBuffer opened = enclave.Open();
        Assert.True(opened.Span.SequenceEqual(secret));
    }

    [Fact]
    public void Operations_alone_rerandomise_the_key()
    {
        EnclaveKey key = EnclaveKey.Instance;
        long before = key.Rerandomisations;
        using var enclave = SecureEnclave.Seal(new byte[32]);
        for (int i = 0; i < EnclaveKey.OperationsPerRerandomisation; i++)
        {
            enclave.Open().Dispose();
        }

        Assert.True(key.Rerandomisations > before);
    }

    [Fact]
    public void Many_threads_seal_and_open_while_the_key_is_rerandomised()
    {
        const int Threads = 4;
        const int Rounds = 30_000;
        int wrong = 0;
        int working = Threads;
        using var start = new Barrier(Threads + 1);
        long rerandomised = 0;
        var rerandomiser = new Thread(() =>
        {
            start.SignalAndWait();
            do
            {
                EnclaveKey.Instance.Rerandomise();
                rerandomised++;
            }
            while (Volatile.Read(ref working) > 0);
        });
        rerandomiser.Start();

        Parallel.For(0, Threads, new ParallelOptions { MaxDegreeOfParallelism = Threads }, thread =>
        {
            start.SignalAndWait();
            byte[] secret = new byte[32 + thread];
            for (int i = 0; i < Rounds; i++)
            {
                RandomNumberGenerator.Fill(secret);
                using var enclave = SecureEnclave.Seal(secret);
                using SecureBuffer opened = enclave.Open();
                if (!opened.Span.SequenceEqual(secret))
                {
                    Interlocked.Increment(ref wrong);
                }
            }

            Interlocked.Decrement(ref working);
        });
        rerandomiser.Join();

        Assert.Equal(0, wrong);
        Assert.True(rerandomised > 0);
    }

    private static byte[] Combined(byte[] representation)
    {
        byte[] key = new byte[32];
        for (int i = 0; i < 32; i++)
        {
            key[i] = (byte)(representation[i] ^ representation[32 + i]);
        }

        return key;
    }

    private static void AssertTampered(SecureEnclave enclave, byte[] secret)
    {
        var e = Assert.Throws<CryptographicException>(() => enclave.Open());
        Assert.DoesNotContain(Convert.ToHexString(secret), e.Message, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("does not verify", e.Message, StringComparison.Ordinal);
    }
}
