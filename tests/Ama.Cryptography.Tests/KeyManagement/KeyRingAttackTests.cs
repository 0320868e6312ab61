using Ama.Cryptography.KeyManagement;

namespace Ama.Cryptography.Tests.KeyManagement;

/// <summary>KeyRingAead given buffers an outside caller may pass: a destination laid over the ciphertext.</summary>
public sealed class KeyRingAttackTests
{
    private static readonly byte[] Plaintext = "a plaintext of forty-eight bytes, long enough.."u8.ToArray();

    /// <summary>
    /// A destination over the tag (or the header and nonce) is refused, whatever the algorithm: AEGIS would compare the tag
    /// after writing plaintext over it and report a genuine ciphertext as tampered with, XChaCha20-Poly1305 would not.
    /// </summary>
    [Theory]
    [MemberData(nameof(KeyRingTestSupport.Algorithms), MemberType = typeof(KeyRingTestSupport))]
    public void A_destination_overlapping_the_ciphertext_off_its_body_is_refused(byte algorithm)
    {
        using var storage = KeyRingTestSupport.StorageWithKey();
        using var ring = KeyRingTestSupport.Open(storage, (KeyRingAlgorithm)algorithm);
        byte[] ciphertext = ring.Encrypt(Plaintext);
        int bodyStart = ciphertext.Length - Plaintext.Length - KeyRingCipher.TagSizeOf((KeyRingAlgorithm)algorithm);

        foreach (int at in (int[])[bodyStart + Plaintext.Length, ciphertext.Length - 1, 0, 3, bodyStart + 1])
        {
            byte[] buffer = new byte[ciphertext.Length + Plaintext.Length];
            ciphertext.CopyTo(buffer, 0);

            var refused = Assert.Throws<ArgumentException>(() => ring.Decrypt(buffer.AsSpan(0, ciphertext.Length), buffer.AsSpan(at)));

            Assert.Equal("destination", refused.ParamName);
        }
    }

    /// <summary>Negative controls: in place exactly at the body, and a separate buffer, both decrypt.</summary>
    [Theory]
    [MemberData(nameof(KeyRingTestSupport.Algorithms), MemberType = typeof(KeyRingTestSupport))]
    public void Decrypting_in_place_at_the_body_or_into_a_separate_buffer_works(byte algorithm)
    {
        using var storage = KeyRingTestSupport.StorageWithKey();
        using var ring = KeyRingTestSupport.Open(storage, (KeyRingAlgorithm)algorithm);
        byte[] ciphertext = ring.Encrypt(Plaintext);
        int bodyStart = ciphertext.Length - Plaintext.Length - KeyRingCipher.TagSizeOf((KeyRingAlgorithm)algorithm);
        byte[] separate = new byte[Plaintext.Length];

        Assert.Equal(Plaintext.Length, ring.Decrypt(ciphertext, separate.AsSpan()));
        Assert.Equal(Plaintext.Length, ring.Decrypt(ciphertext, ciphertext.AsSpan(bodyStart)));

        Assert.Equal(Plaintext, separate);
        Assert.Equal(Plaintext, ciphertext.AsSpan(bodyStart, Plaintext.Length).ToArray());
    }
}
