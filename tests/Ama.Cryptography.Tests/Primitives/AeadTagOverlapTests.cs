using System.Security.Cryptography;

namespace Ama.Cryptography.Tests.Primitives;

/// <summary>Output spans laid over the tag, as a caller working on one "ciphertext then tag" buffer might pass.</summary>
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
        using var aead = NewAead(algorithm);
        byte[] nonce = new byte[aead.NonceSize];
        byte[] message = RandomNumberGenerator.GetBytes(64);
        var (sealedBuffer, ciphertext) = SealWithRoomAfterTheTag(aead, nonce, message);

        var refused = Assert.Throws<ArgumentException>(() => aead.Decrypt(nonce, ciphertext, sealedBuffer.AsSpan(message.Length, aead.TagSize), sealedBuffer.AsSpan(message.Length + 1, message.Length)));

        Assert.Equal("plaintext", refused.ParamName);
    }

    /// <summary>Negative control: the same tag with the plaintext just after it decrypts.</summary>
    [Theory]
    [MemberData(nameof(AeadSubject.All), MemberType = typeof(AeadSubject))]
    public void A_plaintext_right_after_the_tag_decrypts(string algorithm)
    {
        using var aead = NewAead(algorithm);
        byte[] nonce = new byte[aead.NonceSize];
        byte[] message = RandomNumberGenerator.GetBytes(64);
        var (sealedBuffer, ciphertext) = SealWithRoomAfterTheTag(aead, nonce, message);

        aead.Decrypt(nonce, ciphertext, sealedBuffer.AsSpan(message.Length, aead.TagSize), sealedBuffer.AsSpan(message.Length + aead.TagSize));

        Assert.Equal(message, sealedBuffer.AsSpan(message.Length + aead.TagSize).ToArray());
    }

    /// <summary>A tag laid over the ciphertext is refused: both are written, so one silently overwrote part of the other.</summary>
    [Theory]
    [MemberData(nameof(AeadSubject.All), MemberType = typeof(AeadSubject))]
    public void A_tag_overlapping_the_ciphertext_is_refused_naming_tag(string algorithm)
    {
        using var aead = NewAead(algorithm);
        byte[] nonce = new byte[aead.NonceSize];
        byte[] message = RandomNumberGenerator.GetBytes(64);
        byte[] buffer = new byte[message.Length + aead.TagSize];

        var refused = Assert.Throws<ArgumentException>(() => aead.Encrypt(nonce, message, buffer.AsSpan(0, message.Length), buffer.AsSpan(message.Length - 1, aead.TagSize)));

        Assert.Equal("tag", refused.ParamName);
        Assert.All(buffer, b => Assert.Equal(0, b));
    }

    /// <summary>Negative control: the tag right after the ciphertext, in the same buffer, round-trips.</summary>
    [Theory]
    [MemberData(nameof(AeadSubject.All), MemberType = typeof(AeadSubject))]
    public void A_tag_right_after_the_ciphertext_round_trips(string algorithm)
    {
        using var aead = NewAead(algorithm);
        byte[] nonce = new byte[aead.NonceSize];
        byte[] message = RandomNumberGenerator.GetBytes(64);
        byte[] buffer = new byte[message.Length + aead.TagSize];
        byte[] opened = new byte[message.Length];

        aead.Encrypt(nonce, message, buffer.AsSpan(0, message.Length), buffer.AsSpan(message.Length));
        aead.Decrypt(nonce, buffer.AsSpan(0, message.Length), buffer.AsSpan(message.Length), opened);

        Assert.Equal(message, opened);
    }

    private static AeadSubject NewAead(string algorithm) => AeadSubject.Create(algorithm, RandomNumberGenerator.GetBytes(AeadSubject.KeySizeOf(algorithm)));

    /// <summary>Ciphertext, then tag, then room for the plaintext, in one buffer; and a copy of the ciphertext.</summary>
    private static (byte[] Buffer, byte[] Ciphertext) SealWithRoomAfterTheTag(AeadSubject aead, byte[] nonce, byte[] message)
    {
        byte[] buffer = new byte[message.Length + aead.TagSize + message.Length];
        aead.Encrypt(nonce, message, buffer.AsSpan(0, message.Length), buffer.AsSpan(message.Length, aead.TagSize));
        return (buffer, buffer.AsSpan(0, message.Length).ToArray());
    }
}
