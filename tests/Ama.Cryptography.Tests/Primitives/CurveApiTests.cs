using System.Security.Cryptography;

namespace Ama.Cryptography.Tests.Primitives;

/// <summary>SecureEd25519 and SecureX25519: known answers, argument checks, Dispose, export.</summary>
public sealed class CurveApiTests
{
    // RFC 8032 section 7.1, tests 1 to 3: seed, public key, message, signature.
    public static readonly TheoryData<string, string, string, string> Rfc8032 = new()
    {
        {
            "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
            "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a",
            "",
            "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b"
        },
        {
            "4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
            "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c",
            "72",
            "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00"
        },
        {
            "c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7",
            "fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025",
            "af82",
            "6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac18ff9b538d16f290ae67f760984dc6594a7c15e9716ed28dc027beceea1ec40a"
        },
    };

    [Theory]
    [MemberData(nameof(Rfc8032))]
    public void Ed25519_reproduces_the_RFC_8032_signatures_from_a_span_and_from_a_SecureBuffer(string seedHex, string publicHex, string messageHex, string signatureHex)
    {
        byte[] message = Convert.FromHexString(messageHex);
        using var seedBuffer = new SecureBuffer(32);
        Convert.FromHexString(seedHex).CopyTo(seedBuffer.Span);
        using var fromSpan = SecureEd25519.FromSeed(Convert.FromHexString(seedHex));
        using var fromBuffer = SecureEd25519.FromSeed(seedBuffer);
        seedBuffer.Dispose();

        foreach (SecureEd25519 key in new[] { fromSpan, fromBuffer })
        {
            byte[] signature = new byte[SecureEd25519.SignatureSize];
            Assert.Equal(64, key.Sign(message, signature));
            Assert.Equal(publicHex, Convert.ToHexStringLower(key.PublicKey));
            Assert.Equal(signatureHex, Convert.ToHexStringLower(signature));
            Assert.True(SecureEd25519.Verify(key.PublicKey, message, signature));
        }
    }

    [Fact]
    public void Ed25519_Verify_rejects_a_flipped_bit_in_message_signature_or_key_and_wrong_signature_lengths()
    {
        using var key = SecureEd25519.Generate();
        byte[] message = RandomNumberGenerator.GetBytes(100);
        byte[] signature = new byte[64];
        key.Sign(message, signature);
        byte[] publicKey = key.PublicKey.ToArray();
        Assert.True(SecureEd25519.Verify(publicKey, message, signature));

        for (int bit = 0; bit < 8 * 64; bit += 7)
        {
            Assert.False(SecureEd25519.Verify(publicKey, message, Flip(signature, bit)));
            Assert.False(SecureEd25519.Verify(publicKey, Flip(message, bit), signature));
        }

        for (int bit = 0; bit < 8 * 32; bit += 5)
        {
            Assert.False(SecureEd25519.Verify(Flip(publicKey, bit), message, signature));
        }

        Assert.False(SecureEd25519.Verify(publicKey, message, signature.AsSpan(0, 63)));
        Assert.False(SecureEd25519.Verify(publicKey, message, [.. signature, 0]));
        Assert.False(SecureEd25519.Verify(publicKey, message, default));
    }

    [Fact]
    public void Ed25519_rejects_wrong_sizes_with_ArgumentException_naming_the_parameter()
    {
        Assert.Equal("seed", Assert.Throws<ArgumentException>(() => SecureEd25519.FromSeed(new byte[31])).ParamName);
        Assert.Equal("seed", Assert.Throws<ArgumentException>(() => SecureEd25519.FromSeed(new byte[33])).ParamName);
        using var shortBuffer = new SecureBuffer(16);
        Assert.Equal("seed", Assert.Throws<ArgumentException>(() => SecureEd25519.FromSeed(shortBuffer)).ParamName);
        Assert.Throws<ArgumentNullException>(() => SecureEd25519.FromSeed((SecureBuffer)null!));
        Assert.Equal("publicKey", Assert.Throws<ArgumentException>(() => SecureEd25519.Verify(new byte[31], [], new byte[64])).ParamName);

        using var key = SecureEd25519.Generate();
        Assert.Equal("signature", Assert.Throws<ArgumentException>(() => key.Sign([1, 2, 3], new byte[63])).ParamName);
        byte[] longer = new byte[80];
        Assert.Equal(64, key.Sign([1, 2, 3], longer));
        Assert.True(SecureEd25519.Verify(key.PublicKey, [1, 2, 3], longer.AsSpan(0, 64)));
    }

    [Fact]
    public void Ed25519_after_Dispose_throws_ObjectDisposedException_and_a_disposed_seed_buffer_is_refused()
    {
        var key = SecureEd25519.Generate();
        key.Dispose();
        key.Dispose();
        Assert.Throws<ObjectDisposedException>(() => key.Sign([], new byte[64]));
        Assert.Throws<ObjectDisposedException>(() => key.ExportSeed());
        Assert.Throws<ObjectDisposedException>(() => key.PublicKey.Length);

        var seed = new SecureBuffer(32);
        seed.Dispose();
        Assert.Throws<ObjectDisposedException>(() => SecureEd25519.FromSeed(seed));
    }

    [Fact]
    public void Ed25519_ExportSeed_returns_the_seed_in_a_SecureBuffer_that_rebuilds_the_same_key()
    {
        byte[] seed = RandomNumberGenerator.GetBytes(32);
        using var key = SecureEd25519.FromSeed(seed);
        using SecureBuffer exported = key.ExportSeed();
        Assert.Equal(seed, exported.Span.ToArray());
        using var again = SecureEd25519.FromSeed(exported);
        Assert.Equal(key.PublicKey.ToArray(), again.PublicKey.ToArray());
    }

    [Fact]
    public void Ed25519_Generate_makes_distinct_keys_that_sign_and_verify()
    {
        using var first = SecureEd25519.Generate();
        using var second = SecureEd25519.Generate();
        Assert.NotEqual(first.PublicKey.ToArray(), second.PublicKey.ToArray());
        byte[] signature = new byte[64];
        first.Sign("hello"u8, signature);
        Assert.True(SecureEd25519.Verify(first.PublicKey, "hello"u8, signature));
        Assert.False(SecureEd25519.Verify(second.PublicKey, "hello"u8, signature));
    }

    [Fact]
    public void X25519_matches_RFC_7748_section_6_1_and_both_sides_agree()
    {
        using var alice = SecureX25519.FromPrivateKey(Convert.FromHexString("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a"));
        using var bobKey = new SecureBuffer(32);
        Convert.FromHexString("5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb").CopyTo(bobKey.Span);
        using var bob = SecureX25519.FromPrivateKey(bobKey);
        bobKey.Dispose();

        Assert.Equal("8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a", Convert.ToHexStringLower(alice.PublicKey));
        Assert.Equal("de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f", Convert.ToHexStringLower(bob.PublicKey));
        using SecureBuffer aliceShared = alice.DeriveSharedSecret(bob.PublicKey);
        using SecureBuffer bobShared = bob.DeriveSharedSecret(alice.PublicKey);
        Assert.Equal("4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742", Convert.ToHexStringLower(aliceShared.Span));
        Assert.Equal(aliceShared.Span.ToArray(), bobShared.Span.ToArray());
    }

    [Fact]
    public void X25519_refuses_low_order_peers_with_CryptographicException()
    {
        using var key = SecureX25519.Generate();
        // The identity, a point of order 2 and one of order 8 (RFC 7748 public keys that force a zero result).
        string[] lowOrder =
        [
            "0000000000000000000000000000000000000000000000000000000000000000",
            "0100000000000000000000000000000000000000000000000000000000000000",
            "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
            "e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800",
        ];
        foreach (string peer in lowOrder)
        {
            Assert.Throws<CryptographicException>(() => key.DeriveSharedSecret(Convert.FromHexString(peer)));
        }
    }

    [Fact]
    public void X25519_rejects_wrong_sizes_and_use_after_Dispose()
    {
        Assert.Equal("privateKey", Assert.Throws<ArgumentException>(() => SecureX25519.FromPrivateKey(new byte[31])).ParamName);
        using var shortBuffer = new SecureBuffer(33);
        Assert.Equal("privateKey", Assert.Throws<ArgumentException>(() => SecureX25519.FromPrivateKey(shortBuffer)).ParamName);
        Assert.Throws<ArgumentNullException>(() => SecureX25519.FromPrivateKey((SecureBuffer)null!));

        var key = SecureX25519.Generate();
        using var peer = SecureX25519.Generate();
        Assert.Equal("peerPublicKey", Assert.Throws<ArgumentException>(() => key.DeriveSharedSecret(new byte[31])).ParamName);
        key.Dispose();
        Assert.Throws<ObjectDisposedException>(() => key.DeriveSharedSecret(peer.PublicKey));
        Assert.Throws<ObjectDisposedException>(() => key.ExportPrivateKey());
        Assert.Throws<ObjectDisposedException>(() => key.PublicKey.Length);
    }

    [Fact]
    public void X25519_ExportPrivateKey_returns_the_key_as_given_in_a_SecureBuffer()
    {
        byte[] privateKey = RandomNumberGenerator.GetBytes(32);
        privateKey[0] |= 7; // bits that clamping clears: the export must still return them
        using var key = SecureX25519.FromPrivateKey(privateKey);
        using SecureBuffer exported = key.ExportPrivateKey();
        Assert.Equal(privateKey, exported.Span.ToArray());
    }

    [Fact]
    public async Task Keys_dispose_while_other_threads_sign_without_crashing()
    {
        for (int round = 0; round < 20; round++)
        {
            var key = SecureEd25519.Generate();
            using var start = new ManualResetEventSlim();
            Task[] signers = [.. Enumerable.Range(0, 2).Select(_ => Task.Run(() =>
            {
                byte[] signature = new byte[64];
                start.Wait(TestContext.Current.CancellationToken);
                try
                {
                    while (true)
                    {
                        key.Sign("x"u8, signature);
                    }
                }
                catch (ObjectDisposedException)
                {
                }
            }))];
            start.Set();
            Thread.Sleep(2);
            key.Dispose();
            await Task.WhenAll(signers).WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
        }
    }

    private static byte[] Flip(byte[] bytes, int bit)
    {
        byte[] copy = (byte[])bytes.Clone();
        copy[bit / 8 % copy.Length] ^= (byte)(1 << (bit % 8));
        return copy;
    }
}
