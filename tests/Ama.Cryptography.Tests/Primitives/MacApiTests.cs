using System.Security.Cryptography;

namespace Ama.Cryptography.Tests.Primitives;

/// <summary>Argument checks, disposal and the key copy of SecureHmac and SecureHkdf.</summary>
public sealed class MacApiTests
{
    private static readonly byte[] Key = [.. Enumerable.Range(1, 32).Select(i => (byte)i)];

    [Fact]
    public void Hash_sizes_are_those_of_the_hash()
    {
        Assert.True(SecureHmac.IsSupported);
        using var sha256 = new SecureHmac(HashAlgorithmName.SHA256, Key);
        using var sha512 = new SecureHmac(HashAlgorithmName.SHA512, Key);
        using var sha384 = new SecureHmac(HashAlgorithmName.SHA384, Key);
        Assert.Equal(32, sha256.HashSizeInBytes);
        Assert.Equal(48, sha384.HashSizeInBytes);
        Assert.Equal(64, sha512.HashSizeInBytes);
    }

    [Theory]
    [InlineData("SHA1")]
    [InlineData("sha384")]
    [InlineData("MD5")]
    [InlineData("sha256")]
    [InlineData("SHA3_256")]
    public void Other_hash_names_throw_CryptographicException_like_IncrementalHash(string name)
    {
        Assert.Throws<CryptographicException>(() => new SecureHmac(new HashAlgorithmName(name), Key));
        Assert.Throws<CryptographicException>(() => SecureHkdf.DeriveKey(new HashAlgorithmName(name), Key, 32));
    }

    [Fact]
    public void An_empty_hash_name_throws_ArgumentException_naming_the_parameter()
    {
        Assert.Equal("hashAlgorithm", Assert.Throws<ArgumentException>(() => new SecureHmac(default, Key)).ParamName);
        Assert.Equal("hashAlgorithm", Assert.Throws<ArgumentException>(() => new SecureHmac(new HashAlgorithmName(string.Empty), Key)).ParamName);
        Assert.Equal("hashAlgorithm", Assert.Throws<ArgumentException>(() => SecureHkdf.DeriveKey(default, Key, 32)).ParamName);
    }

    [Fact]
    public void A_short_destination_throws_ArgumentException_and_writes_nothing()
    {
        using var hmac = new SecureHmac(HashAlgorithmName.SHA256, Key);
        byte[] destination = new byte[31];
        Assert.Equal("destination", Assert.Throws<ArgumentException>(() => hmac.ComputeHash([1, 2, 3], destination)).ParamName);
        Assert.Equal("destination", Assert.Throws<ArgumentException>(() => hmac.GetHashAndReset(destination)).ParamName);
        Assert.All(destination, b => Assert.Equal(0, b));
    }

    [Fact]
    public void Verify_rejects_a_hash_of_any_other_length()
    {
        using var hmac = new SecureHmac(HashAlgorithmName.SHA256, Key);
        byte[] full = HMACSHA256.HashData(Key, "m"u8);
        Assert.True(hmac.Verify("m"u8, full));
        Assert.False(hmac.Verify("m"u8, full.AsSpan(0, 16)));
        Assert.False(hmac.Verify("m"u8, [.. full, 0]));
        Assert.False(hmac.Verify("m"u8, []));
    }

    [Theory]
    [InlineData("SHA256", 0)]
    [InlineData("SHA256", -1)]
    [InlineData("SHA256", 8161)]
    [InlineData("SHA512", 16321)]
    [InlineData("SHA512", int.MaxValue)]
    public void HKDF_output_length_out_of_range_throws(string name, int length)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => SecureHkdf.DeriveKey(new HashAlgorithmName(name), Key, length));
        Assert.Equal("outputLength", e.ParamName);
    }

    [Fact]
    public void HKDF_at_the_longest_output_works()
    {
        using SecureBuffer okm = SecureHkdf.DeriveKey(HashAlgorithmName.SHA512, Key, 16320, info: "i"u8);
        Assert.Equal(HKDF.DeriveKey(HashAlgorithmName.SHA512, Key, 16320, info: "i"u8.ToArray()), okm.Span.ToArray());
    }

    [Fact]
    public void Every_member_throws_ObjectDisposedException_after_Dispose()
    {
        var hmac = new SecureHmac(HashAlgorithmName.SHA256, Key);
        hmac.Dispose();
        hmac.Dispose();
        byte[] destination = new byte[32];
        Assert.Throws<ObjectDisposedException>(() => hmac.ComputeHash([1], destination));
        Assert.Throws<ObjectDisposedException>(() => hmac.Verify([1], destination));
        Assert.Throws<ObjectDisposedException>(() => hmac.AppendData([1]));
        Assert.Throws<ObjectDisposedException>(() => hmac.GetHashAndReset(destination));
    }

    [Fact]
    public void SecureBuffer_keys_are_copied_so_the_caller_may_dispose_them()
    {
        var buffer = new SecureBuffer(Key.Length);
        Key.CopyTo(buffer.Span);
        using var hmac = new SecureHmac(HashAlgorithmName.SHA512, buffer);
        using SecureBuffer okm = SecureHkdf.DeriveKey(HashAlgorithmName.SHA256, buffer, 42);
        buffer.Dispose();

        byte[] tag = new byte[64];
        hmac.ComputeHash("data"u8, tag);
        Assert.Equal(HMACSHA512.HashData(Key, "data"u8), tag);
        Assert.Equal(HKDF.DeriveKey(HashAlgorithmName.SHA256, Key, 42), okm.Span.ToArray());
    }

    [Fact]
    public void Disposed_or_null_SecureBuffer_keys_are_rejected()
    {
        var buffer = new SecureBuffer(32);
        buffer.Dispose();
        Assert.Throws<ObjectDisposedException>(() => new SecureHmac(HashAlgorithmName.SHA256, buffer));
        Assert.Throws<ObjectDisposedException>(() => SecureHkdf.DeriveKey(HashAlgorithmName.SHA256, buffer, 32));
        Assert.Throws<ArgumentNullException>(() => new SecureHmac(HashAlgorithmName.SHA256, (SecureBuffer)null!));
        Assert.Throws<ArgumentNullException>(() => SecureHkdf.DeriveKey(HashAlgorithmName.SHA256, (SecureBuffer)null!, 32));
    }

    [Fact]
    public async Task Concurrent_Dispose_never_crashes_a_running_ComputeHash()
    {
        byte[] data = new byte[4096];
        for (int round = 0; round < 200; round++)
        {
            var hmac = new SecureHmac(HashAlgorithmName.SHA256, Key);
            using var start = new Barrier(2);
            Task worker = Task.Run(
                () =>
            {
                byte[] destination = new byte[32];
                start.SignalAndWait(TestContext.Current.CancellationToken);
                try
                {
                    for (int i = 0; i < 50; i++)
                    {
                        hmac.ComputeHash(data, destination);
                    }
                }
                catch (ObjectDisposedException)
                {
                    // The expected outcome once Dispose has won.
                }
            },
                TestContext.Current.CancellationToken);
            start.SignalAndWait(TestContext.Current.CancellationToken);
            hmac.Dispose();
            await worker;
        }
    }
}
