using System.Security.Cryptography;

namespace Ama.Cryptography.Tests.Primitives;

/// <summary>
/// HMAC-SHA-384 and HKDF-SHA-384, which JOSE (HS384) and TLS 1.3 (TLS_AES_256_GCM_SHA384) use: RFC 4231's test
/// vector, and agreement with the BCL for keys shorter than, equal to and longer than the 128-byte block.
/// </summary>
public sealed class Sha384Tests
{
    [Fact]
    public void Hmac_sha384_gives_RFC_4231_test_case_2()
    {
        using var hmac = new SecureHmac(HashAlgorithmName.SHA384, "Jefe"u8);
        byte[] tag = new byte[48];

        hmac.ComputeHash("what do ya want for nothing?"u8, tag);

        Assert.Equal("af45d2e376484031617f78d2b58a6b1b9c7ef464f5a01b47e42ec3736322445e8e2240ca5e69e2c78b3239ecfab21649", Convert.ToHexStringLower(tag));
    }

    [Theory]
    [InlineData(0, 0)]
    [InlineData(32, 64)]
    [InlineData(48, 1000)]
    [InlineData(128, 127)]
    [InlineData(129, 128)]
    [InlineData(300, 5000)]
    public void Hmac_sha384_agrees_with_the_BCL_one_shot_incremental_and_verify(int keyLength, int messageLength)
    {
        byte[] key = RandomNumberGenerator.GetBytes(keyLength);
        byte[] message = RandomNumberGenerator.GetBytes(messageLength);
        byte[] expected = HMACSHA384.HashData(key, message);
        using var hmac = new SecureHmac(HashAlgorithmName.SHA384, key);
        byte[] oneShot = new byte[48];
        byte[] incremental = new byte[48];

        hmac.ComputeHash(message, oneShot);
        hmac.AppendData(message.AsSpan(0, messageLength / 2));
        hmac.AppendData(message.AsSpan(messageLength / 2));
        hmac.GetHashAndReset(incremental);

        Assert.Equal(expected, oneShot);
        Assert.Equal(expected, incremental);
        Assert.True(hmac.Verify(message, expected));
        expected[^1] ^= 1;
        Assert.False(hmac.Verify(message, expected));
    }

    [Theory]
    [InlineData(32, 48)]
    [InlineData(48, 100)]
    [InlineData(64, 255 * 48)]
    public void Hkdf_sha384_agrees_with_the_BCL(int ikmLength, int outputLength)
    {
        byte[] ikm = RandomNumberGenerator.GetBytes(ikmLength);
        byte[] salt = RandomNumberGenerator.GetBytes(16);
        byte[] info = "context"u8.ToArray();

        using SecureBuffer okm = SecureHkdf.DeriveKey(HashAlgorithmName.SHA384, ikm, outputLength, salt, info);

        Assert.Equal(HKDF.DeriveKey(HashAlgorithmName.SHA384, ikm, outputLength, salt, info), okm.Span.ToArray());
    }

    [Fact]
    public void Hkdf_sha384_refuses_more_than_255_blocks_naming_the_limit()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => SecureHkdf.DeriveKey(HashAlgorithmName.SHA384, new byte[32], (255 * 48) + 1));
        Assert.Contains((255 * 48).ToString(System.Globalization.CultureInfo.InvariantCulture), e.Message, StringComparison.Ordinal);
    }
}
