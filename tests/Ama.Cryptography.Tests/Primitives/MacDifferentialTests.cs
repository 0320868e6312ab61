using System.Security.Cryptography;

namespace Ama.Cryptography.Tests.Primitives;

/// <summary>SecureHmac and SecureHkdf against HMACSHA256/512, IncrementalHash and HKDF on random keys and sizes up to 70 KB.</summary>
public sealed class MacDifferentialTests
{
    private const int MaxDataLength = 70 * 1024;

    public static TheoryData<string> Hashes => new() { "SHA256", "SHA512" };

    [Theory]
    [MemberData(nameof(Hashes))]
    public void ComputeHash_and_Verify_match_the_BCL_on_random_keys_and_sizes(string name)
    {
        var hash = new HashAlgorithmName(name);
        var random = new Random(1201);
        for (int round = 0; round < 60; round++)
        {
            // Keys from empty to well past the 64- and 128-byte blocks, so long keys are hashed first.
            byte[] key = RandomBytes(random, random.Next(0, 300));
            byte[] data = RandomBytes(random, Size(random, round));
            byte[] expected = Bcl(hash, key, data);
            using var hmac = new SecureHmac(hash, key);
            byte[] actual = new byte[hmac.HashSizeInBytes + 7];
            Assert.Equal(expected.Length, hmac.ComputeHash(data, actual));
            Assert.Equal(expected, actual[..expected.Length]);
            Assert.True(hmac.Verify(data, expected));
            Assert.False(hmac.Verify(data, Flip(expected, random.Next(expected.Length * 8))));
            if (data.Length > 0)
            {
                Assert.False(hmac.Verify(Flip(data, random.Next(data.Length * 8)), expected));
            }
        }
    }

    [Theory]
    [MemberData(nameof(Hashes))]
    public void AppendData_in_random_pieces_matches_IncrementalHash_and_survives_interleaved_ComputeHash(string name)
    {
        var hash = new HashAlgorithmName(name);
        var random = new Random(1202);
        byte[] key = RandomBytes(random, 200);
        using var hmac = new SecureHmac(hash, key);
        using var reference = IncrementalHash.CreateHMAC(hash, key);
        byte[] actual = new byte[hmac.HashSizeInBytes];
        for (int round = 0; round < 30; round++)
        {
            byte[] data = RandomBytes(random, Size(random, round));
            for (int offset = 0; offset < data.Length;)
            {
                int piece = Math.Min(data.Length - offset, random.Next(0, 3000));
                hmac.AppendData(data.AsSpan(offset, piece));
                reference.AppendData(data.AsSpan(offset, piece));
                offset += piece;

                // A one-shot hash in between must leave the stream alone.
                hmac.ComputeHash(data.AsSpan(0, offset), actual);
            }

            Assert.Equal(hmac.HashSizeInBytes, hmac.GetHashAndReset(actual));
            Assert.Equal(reference.GetHashAndReset(), actual);
        }
    }

    [Theory]
    [MemberData(nameof(Hashes))]
    public void DeriveKey_matches_HKDF_on_random_inputs(string name)
    {
        var hash = new HashAlgorithmName(name);
        int hashSize = name == "SHA256" ? 32 : 64;
        var random = new Random(1203);
        for (int round = 0; round < 60; round++)
        {
            byte[] ikm = RandomBytes(random, Size(random, round));
            byte[] salt = RandomBytes(random, random.Next(0, 200));
            byte[] info = RandomBytes(random, random.Next(0, 300));
            int length = round switch { 0 => 1, 1 => 255 * hashSize, _ => random.Next(1, 255 * hashSize + 1) };
            using SecureBuffer actual = SecureHkdf.DeriveKey(hash, ikm, length, salt, info);
            Assert.Equal(HKDF.DeriveKey(hash, ikm, length, salt, info), actual.Span.ToArray());
        }
    }

    private static int Size(Random random, int round) => round switch
    {
        0 => 0,
        1 => MaxDataLength,
        _ when round % 3 == 0 => random.Next(0, 300),
        _ => random.Next(0, MaxDataLength + 1),
    };

    private static byte[] Bcl(HashAlgorithmName hash, byte[] key, byte[] data) =>
        hash == HashAlgorithmName.SHA256 ? HMACSHA256.HashData(key, data) : HMACSHA512.HashData(key, data);

    private static byte[] RandomBytes(Random random, int length)
    {
        byte[] bytes = new byte[length];
        random.NextBytes(bytes);
        return bytes;
    }

    private static byte[] Flip(byte[] bytes, int bit)
    {
        byte[] copy = (byte[])bytes.Clone();
        copy[bit / 8] ^= (byte)(1 << (bit % 8));
        return copy;
    }
}
