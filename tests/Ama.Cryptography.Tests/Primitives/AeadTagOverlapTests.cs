using System.Security.Cryptography;

namespace Ama.Cryptography.Tests.Primitives;

/// <summary>A plaintext destination laid over the tag, as a caller decrypting a "ciphertext then tag" buffer in place might pass.</summary>
public sealed class AeadTagOverlapTests
{
    /// <summary>
    /// Refused for every AEAD: AEGIS reads the tag after writing the plaintext, so it reported a genuine ciphertext as
    /// tampered with (and zeroed the output) where the others decrypted it.
    /// </summary>
    [Theory]
    [MemberData(nameof(AeadSubject.All), MemberType = typeof(AeadSubject))]
    public void A_plaintext_overlapping_the_tag_is_refused_naming_plaintext(string algorithm)
    {
        using var aead = AeadSubject.Create(algorithm, RandomNumberGenerator.GetBytes(AeadSubject.KeySizeOf(algorithm)));
        byte[] nonce = new byte[aead.NonceSize];
        byte[] message = RandomNumberGenerator.GetBytes(64);
        byte[] sealedBuffer = new byte[message.Length + aead.TagSize + message.Length];
        aead.Encrypt(nonce, message, sealedBuffer.AsSpan(0, message.Length), sealedBuffer.AsSpan(message.Length, aead.TagSize));
        var ciphertext = sealedBuffer.AsSpan(0, message.Length).ToArray();

        var refused = Assert.Throws<ArgumentException>(() => aead.Decrypt(nonce, ciphertext, sealedBuffer.AsSpan(message.Length, aead.TagSize), sealedBuffer.AsSpan(message.Length + 1, message.Length)));

        Assert.Equal("plaintext", refused.ParamName);
    }

    /// <summary>Negative control: the same tag with the plaintext just after it decrypts.</summary>
    [Theory]
    [MemberData(nameof(AeadSubject.All), MemberType = typeof(AeadSubject))]
    public void A_plaintext_right_after_the_tag_decrypts(string algorithm)
    {
        using var aead = AeadSubject.Create(algorithm, RandomNumberGenerator.GetBytes(AeadSubject.KeySizeOf(algorithm)));
        byte[] nonce = new byte[aead.NonceSize];
        byte[] message = RandomNumberGenerator.GetBytes(64);
        byte[] sealedBuffer = new byte[message.Length + aead.TagSize + message.Length];
        aead.Encrypt(nonce, message, sealedBuffer.AsSpan(0, message.Length), sealedBuffer.AsSpan(message.Length, aead.TagSize));
        var ciphertext = sealedBuffer.AsSpan(0, message.Length).ToArray();

        aead.Decrypt(nonce, ciphertext, sealedBuffer.AsSpan(message.Length, aead.TagSize), sealedBuffer.AsSpan(message.Length + aead.TagSize));

        Assert.Equal(message, sealedBuffer.AsSpan(message.Length + aead.TagSize).ToArray());
    }
}
