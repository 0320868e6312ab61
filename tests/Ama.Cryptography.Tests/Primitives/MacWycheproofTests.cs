using System.Security.Cryptography;
using System.Text.Json;

namespace Ama.Cryptography.Tests.Primitives;

/// <summary>
/// Every Wycheproof vector for HMAC-SHA-256/512 and HKDF-SHA-256/512. Verify takes only full-length hashes,
/// so the truncated-tag groups are checked by comparing the prefix of ComputeHash, and Verify must reject them.
/// </summary>
public sealed class MacWycheproofTests
{
    [Theory]
    [InlineData("hmac_sha256_test.json", "SHA256", 174)]
    [InlineData("hmac_sha512_test.json", "SHA512", 174)]
    public void Every_HMAC_vector_passes(string file, string hash, int expectedCount)
    {
        using JsonDocument document = Load(file);
        int full = 0;
        int truncated = 0;
        foreach (JsonElement group in document.RootElement.GetProperty("testGroups").EnumerateArray())
        {
            int tagBytes = group.GetProperty("tagSize").GetInt32() / 8;
            foreach (JsonElement test in group.GetProperty("tests").EnumerateArray())
            {
                CheckHmac(new HashAlgorithmName(hash), test, tagBytes, ref full, ref truncated);
            }
        }

        Assert.Equal(expectedCount, document.RootElement.GetProperty("numberOfTests").GetInt32());
        Assert.Equal(expectedCount, full + truncated);
        Assert.True(full >= expectedCount / 3 && truncated >= expectedCount / 3, $"full {full}, truncated {truncated}");
    }

    [Theory]
    [InlineData("hkdf_sha256_test.json", "SHA256", 86)]
    [InlineData("hkdf_sha512_test.json", "SHA512", 83)]
    public void Every_HKDF_vector_passes(string file, string hash, int expectedCount)
    {
        using JsonDocument document = Load(file);
        int valid = 0;
        int invalid = 0;
        foreach (JsonElement test in document.RootElement.GetProperty("testGroups").EnumerateArray().SelectMany(g => g.GetProperty("tests").EnumerateArray()))
        {
            byte[] ikm = Hex(test, "ikm");
            byte[] salt = Hex(test, "salt");
            byte[] info = Hex(test, "info");
            int size = test.GetProperty("size").GetInt32();
            if (test.GetProperty("result").GetString() == "valid")
            {
                using var ikmBuffer = new SecureBuffer(ikm.Length);
                ikm.CopyTo(ikmBuffer.Span);
                using SecureBuffer fromSpan = SecureHkdf.DeriveKey(new HashAlgorithmName(hash), ikm, size, salt, info);
                using SecureBuffer fromBuffer = SecureHkdf.DeriveKey(new HashAlgorithmName(hash), ikmBuffer, size, salt, info);
                Assert.Equal(Hex(test, "okm"), fromSpan.Span.ToArray());
                Assert.Equal(Hex(test, "okm"), fromBuffer.Span.ToArray());
                valid++;
            }
            else
            {
                var e = Assert.Throws<ArgumentOutOfRangeException>(() => SecureHkdf.DeriveKey(new HashAlgorithmName(hash), ikm, size, salt, info));
                Assert.Equal("outputLength", e.ParamName);
                invalid++;
            }
        }

        Assert.Equal(expectedCount, valid + invalid);
        Assert.Equal(3, invalid);
    }

    private static void CheckHmac(HashAlgorithmName hash, JsonElement test, int tagBytes, ref int full, ref int truncated)
    {
        byte[] key = Hex(test, "key");
        byte[] message = Hex(test, "msg");
        byte[] tag = Hex(test, "tag");
        bool valid = test.GetProperty("result").GetString() == "valid";
        string id = $"tcId {test.GetProperty("tcId").GetInt32()}";
        using var hmac = new SecureHmac(hash, key);
        byte[] computed = new byte[hmac.HashSizeInBytes];
        Assert.Equal(hmac.HashSizeInBytes, hmac.ComputeHash(message, computed));
        Assert.True(valid == computed.AsSpan(0, tagBytes).SequenceEqual(tag), id);
        if (tagBytes == hmac.HashSizeInBytes)
        {
            Assert.True(valid == hmac.Verify(message, tag), id);
            full++;
        }
        else
        {
            Assert.False(hmac.Verify(message, tag), $"{id}: a truncated tag was accepted");
            truncated++;
        }
    }

    private static byte[] Hex(JsonElement test, string name) => Convert.FromHexString(test.GetProperty(name).GetString()!);

    private static JsonDocument Load(string file) =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Vectors", "wycheproof", file)));
}
