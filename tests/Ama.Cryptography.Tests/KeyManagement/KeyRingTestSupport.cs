using System.Security.Cryptography;
using Ama.Cryptography.KeyManagement;

namespace Ama.Cryptography.Tests.KeyManagement;

internal static class KeyRingTestSupport
{
    /// <summary>The algorithms this host can run, for theories over both ciphertext formats.</summary>
    public static TheoryData<byte> Algorithms()
    {
        var data = new TheoryData<byte> { (byte)KeyRingAlgorithm.XChaCha20Poly1305 };
        if (SecureAegis256.IsSupported)
        {
            data.Add((byte)KeyRingAlgorithm.Aegis256);
        }

        return data;
    }

    internal static SecureKeyStorage StorageWithKey(string name = "data", int versions = 1)
    {
        var storage = new SecureKeyStorage(RandomNumberGenerator.GetBytes(32));
        for (int i = 0; i < versions; i++)
        {
            storage.Store(name, RandomNumberGenerator.GetBytes(32));
        }

        return storage;
    }

    internal static KeyRingAead Open(SecureKeyStorage storage, KeyRingAlgorithm algorithm, string name = "data", int chunkSize = 0)
    {
        var ring = KeyRingAead.Open(storage, name);
        ring.EncryptionAlgorithm = algorithm;
        if (chunkSize > 0)
        {
            ring.StreamChunkSize = chunkSize;
        }

        return ring;
    }

    internal static int VersionOf(byte[] ciphertext) => System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(ciphertext.AsSpan(2, 4));

    internal static async Task<byte[]> EncryptStreamAsync(KeyRingAead ring, byte[] plaintext, byte[]? associatedData = null)
    {
        using var input = new MemoryStream(plaintext);
        using var output = new MemoryStream();
        await ring.EncryptStreamAsync(input, output, associatedData ?? default(ReadOnlyMemory<byte>), TestContext.Current.CancellationToken);
        return output.ToArray();
    }

    internal static async Task<byte[]> DecryptStreamAsync(KeyRingAead ring, byte[] ciphertext, byte[]? associatedData = null)
    {
        using var input = new MemoryStream(ciphertext);
        using var output = new MemoryStream();
        await ring.DecryptStreamAsync(input, output, associatedData ?? default(ReadOnlyMemory<byte>), TestContext.Current.CancellationToken);
        return output.ToArray();
    }
}
