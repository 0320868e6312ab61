using System.Buffers.Binary;
using Ama.Cryptography.KeyManagement;
using static Ama.Cryptography.Tests.KeyManagement.KeyStoreTestSupport;

namespace Ama.Cryptography.Tests.KeyManagement;

/// <summary>Retrieve(name, out version): the primary's key and its version number, from one state under one lock.</summary>
public sealed class RetrieveWithVersionTests : IDisposable
{
    private readonly TempKeyStoreDirectory dir = new();
    private readonly byte[] key = RandomKey();

    public void Dispose() => dir.Dispose();

    [Fact]
    public void Returns_the_primary_and_its_version()
    {
        using var storage = new SecureKeyStorage(RandomKey());
        storage.Store("k", [1]);
        storage.Store("k", [2]);
        storage.Store("k", [3]);
        Assert.True(storage.DestroyVersion("k", 3));

        using var primary = storage.Retrieve("k", out int version);
        Assert.Equal(2, version);
        Assert.Equal([2], primary.Span.ToArray());
    }

    [Fact]
    public void Fails_as_Retrieve_does()
    {
        using var storage = new SecureKeyStorage(RandomKey());
        Assert.Throws<KeyNotFoundException>(() => storage.Retrieve("missing", out _));
        Assert.Throws<ArgumentException>(() => storage.Retrieve("bad name", out _));
        storage.Dispose();
        Assert.Throws<ObjectDisposedException>(() => storage.Retrieve("k", out _));
    }

    [Fact]
    public async Task The_bytes_returned_always_belong_to_the_version_returned_while_two_instances_store()
    {
        const int Writes = 200;
        using (var created = CreateWithKey(dir.File(), key))
        {
            created.Store("k", Encode(1));
        }

        using var writer = OpenWithKey(dir.File(), key);
        using var otherWriter = OpenWithKey(dir.File(), key);
        using var reader = OpenWithKey(dir.File(), key);
        var cancel = CancellationToken.None;

        // Each write stores the next version's own number: the writers take turns (one baton), so each knows which version it makes.
        using var baton = new SemaphoreSlim(1);
        int stored = 1;
        async Task Write(SecureKeyStorage storage)
        {
            while (true)
            {
                await baton.WaitAsync(cancel);
                try
                {
                    if (stored >= Writes)
                    {
                        return;
                    }

                    storage.Refresh();
                    int version = storage.Store("k", Encode(stored + 1));
                    Assert.Equal(stored + 1, version);
                    stored = version;
                }
                finally
                {
                    baton.Release();
                }
            }
        }

        int checks = 0;
        void Read(SecureKeyStorage storage, Func<bool> done, bool refresh)
        {
            do
            {
                if (refresh)
                {
                    storage.Refresh();
                }

                using var value = storage.Retrieve("k", out int version);
                Assert.Equal(version, BinaryPrimitives.ReadInt32LittleEndian(value.Span));
                Interlocked.Increment(ref checks);
            }
            while (!done());
        }

        var writes = Task.WhenAll(Task.Run(() => Write(writer), cancel), Task.Run(() => Write(otherWriter), cancel));
        var reads = Task.WhenAll(
            Task.Run(() => Read(writer, () => writes.IsCompleted, refresh: false), cancel),
            Task.Run(() => Read(reader, () => writes.IsCompleted, refresh: true), cancel));
        await writes;
        await reads;

        reader.Refresh();
        using var last = reader.Retrieve("k", out int lastVersion);
        Assert.Equal(Writes, lastVersion);
        Assert.Equal(Writes, BinaryPrimitives.ReadInt32LittleEndian(last.Span));
        Assert.True(checks >= 2);
    }

    private static byte[] Encode(int version)
    {
        var value = new byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(value, version);
        return value;
    }
}
