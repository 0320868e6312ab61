using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Ama.Cryptography.KeyManagement;
using Ama.Cryptography.Tests.Infrastructure;
using static Ama.Cryptography.Tests.KeyManagement.KeyRingTestSupport;
using static Ama.Cryptography.Tests.KeyManagement.KeyStoreTestSupport;

namespace Ama.Cryptography.Tests.KeyManagement;

/// <summary>Rotation by another process on one key store file, seen by a KeyRingAead in this one.</summary>
public sealed class KeyRingRotationTests : IDisposable
{
    private const string Name = "orders";
    private readonly TempKeyStoreDirectory dir = new();
    private readonly byte[] storeKey = RandomKey();

    public void Dispose() => dir.Dispose();

    [Fact]
    public void Another_process_rotates_old_ciphertexts_decrypt_and_new_ones_use_the_new_version()
    {
        using var storage = CreateWithKey(dir.File(), storeKey);
        storage.Store(Name, RandomKey());
        using var ring = KeyRingAead.Open(storage, Name);
        byte[] old = ring.Encrypt("before"u8);

        string[] rotated = RunRotator(1)[0].Split(' ');
        Assert.Equal("2", rotated[0]);
        byte[] fromChild = Convert.FromHexString(rotated[1]);

        // This storage has not read the file since: encryption stays on version 1 until it does.
        Assert.Equal(1, VersionOf(ring.Encrypt("x"u8)));

        // A version newer than the storage knows makes the ring refresh once, after which it encrypts with it.
        Assert.Equal("child-2", Encoding.UTF8.GetString(ring.Decrypt(fromChild)));
        Assert.Equal(2, VersionOf(ring.Encrypt("x"u8)));
        Assert.Equal("before", Encoding.UTF8.GetString(ring.Decrypt(old)));

        // A refresh by whatever watches the file is seen by the next call.
        RunRotator(1);
        storage.Refresh();
        byte[] fresh = ring.Encrypt("after"u8);
        Assert.Equal(3, VersionOf(fresh));
        Assert.Equal("after", Encoding.UTF8.GetString(ring.Decrypt(fresh)));
        Assert.Equal("before", Encoding.UTF8.GetString(ring.Decrypt(old)));
    }

    /// <summary>
    /// Anyone who can hand the ring a ciphertext can name any version, and each refresh reads the whole store under the
    /// storage's lock: refreshes for unknown versions are a second apart, and a genuine new version still gets in.
    /// </summary>
    [Fact]
    public void Refreshes_for_versions_the_storage_does_not_know_are_a_second_apart()
    {
        using var storage = CreateWithKey(dir.File(), storeKey);
        storage.Store(Name, RandomKey());
        var clock = new SteppedClock();
        using var ring = KeyRingAead.Open(storage, Name);
        ring.Clock = clock;
        byte[] forged = ring.Encrypt("forged"u8);
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(forged.AsSpan(2, 4), 999_999);
        Assert.Contains("version 999999", Assert.ThrowsAny<CryptographicException>(() => ring.Decrypt(forged)).Message, StringComparison.Ordinal);

        byte[] rotated;
        using (var other = OpenWithKey(dir.File(), storeKey))
        {
            other.Store(Name, RandomKey());
            using var otherRing = KeyRingAead.Open(other, Name);
            rotated = otherRing.Encrypt("rotated"u8);
        }

        // Within the second after the forged version's refresh, the genuine new version is not looked for either.
        clock.Advance(KeyRingAead.MissRefreshInterval - TimeSpan.FromMilliseconds(1));
        Assert.Contains("version 2", Assert.ThrowsAny<CryptographicException>(() => ring.Decrypt(rotated)).Message, StringComparison.Ordinal);
        Assert.Equal(1, VersionOf(ring.Encrypt("x"u8)));

        clock.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal("rotated", Encoding.UTF8.GetString(ring.Decrypt(rotated)));
        Assert.Equal(2, VersionOf(ring.Encrypt("x"u8)));
    }

    /// <summary>A clock that moves only when the test moves it.</summary>
    private sealed class SteppedClock : TimeProvider
    {
        private DateTimeOffset now = new(2026, 12, 5, 0, 0, 0, TimeSpan.Zero);

        public override DateTimeOffset GetUtcNow() => now;

        internal void Advance(TimeSpan by) => now += by;
    }

    [Fact]
    public void Eight_threads_encrypt_and_decrypt_while_another_process_rotates()
    {
        const int Rotations = 12;
        const int OpsBetweenRotations = 64;
        const int MinOpsPerThread = 100;
        using var storage = CreateWithKey(dir.File(), storeKey);
        storage.Store(Name, RandomKey());
        using var ring = KeyRingAead.Open(storage, Name);
        using var child = TestHost.Start("keyring-rotate-on-go", dir.File(), Convert.ToHexString(storeKey), Name, Rotations.ToString(System.Globalization.CultureInfo.InvariantCulture));

        var sealedMessages = new ConcurrentBag<(byte[] Ciphertext, byte[] Plaintext)>();
        var versionsSeen = new ConcurrentDictionary<int, bool>();
        int totalOps = 0;
        int rotationsDone = 0;
        var failures = new ConcurrentQueue<Exception>();

        void Work(int thread)
        {
            try
            {
                int lastVersion = 0;
                for (int i = 0; i < MinOpsPerThread || Volatile.Read(ref rotationsDone) < Rotations || lastVersion < Rotations + 1; i++)
                {
                    Assert.True(i < 1_000_000, "The workers never saw the last rotation.");
                    byte[] plaintext = Encoding.UTF8.GetBytes($"{thread}/{i}");
                    byte[] ciphertext = ring.Encrypt(plaintext, [(byte)thread]);
                    int version = VersionOf(ciphertext);
                    Assert.True(version >= lastVersion, $"Thread {thread} went back from version {lastVersion} to {version}.");
                    lastVersion = version;
                    versionsSeen[version] = true;
                    Assert.Equal(plaintext, ring.Decrypt(ciphertext, [(byte)thread]));
                    sealedMessages.Add((ciphertext, plaintext));
                    Interlocked.Increment(ref totalOps);
                    if (i % 8 == 7)
                    {
                        storage.Refresh();
                    }
                }
            }
            catch (Exception e)
            {
                failures.Enqueue(e);
            }
        }

        var workers = Enumerable.Range(0, 8).Select(t => new Thread(() => Work(t)) { IsBackground = true }).ToList();
        workers.ForEach(w => w.Start());
        for (int r = 1; r <= Rotations && failures.IsEmpty; r++)
        {
            // Rotate only after the workers have done more operations: interleaving by counts, not by time.
            SpinWait.SpinUntil(() => Volatile.Read(ref totalOps) >= r * OpsBetweenRotations || !failures.IsEmpty);
            child.Process.StandardInput.WriteLine("go");
            child.WaitForLine("rotated ");
            Interlocked.Increment(ref rotationsDone);
        }

        child.Process.StandardInput.Close();
        workers.ForEach(w => w.Join());
        Assert.Empty(failures);
        Assert.Equal("", child.WaitForLine("done"));

        Assert.Contains(1, versionsSeen.Keys);
        Assert.Contains(Rotations + 1, versionsSeen.Keys);
        using var reader = KeyRingAead.Open(storage, Name);
        foreach (var (ciphertext, plaintext) in sealedMessages)
        {
            byte thread = (byte)int.Parse(Encoding.UTF8.GetString(plaintext).Split('/')[0], System.Globalization.CultureInfo.InvariantCulture);
            Assert.Equal(plaintext, reader.Decrypt(ciphertext, [thread]));
        }
    }

    private string[] RunRotator(int count)
    {
        var (exitCode, stdout, stderr) = TestHost.Run(TestHost.StartInfo("keyring-rotate", [dir.File(), Convert.ToHexString(storeKey), Name, count.ToString(System.Globalization.CultureInfo.InvariantCulture)]));
        Assert.True(exitCode == 0, stderr);
        return [.. stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => l.StartsWith("rotated ", StringComparison.Ordinal)).Select(l => l["rotated ".Length..])];
    }
}
