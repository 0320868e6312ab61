using System.Security.Cryptography;

namespace Ama.Cryptography.Tests.Primitives;

/// <summary>
/// The secure AEADs produce the same bytes as their peers (BCL AesGcm and ChaCha20Poly1305, NSec
/// XChaCha20Poly1305, Aegis256 and Aegis128L) on random lengths from 0 to 70 KB, across the short/long call split, and each
/// opens what the other sealed. Any change to ciphertext, tag, associated data or nonce is rejected.
/// </summary>
public sealed class AeadDifferentialTests
{
    private const int MaxLength = 70 * 1024;

    public static TheoryData<string, int> Cases()
    {
        var data = new TheoryData<string, int>();
        var random = new Random(1212);
        int[] edges = [0, 1, 15, 16, 17, 63, 64, 511, 512, 513, 4096, 16 * 1024, 65535, 65536, MaxLength];
        foreach (string algorithm in new[] { AeadSubject.AesGcm, AeadSubject.ChaCha, AeadSubject.XChaCha, AeadSubject.Aegis256, AeadSubject.Aegis128L })
        {
            foreach (int length in edges.Concat(Enumerable.Range(0, 10).Select(_ => random.Next(MaxLength + 1))))
            {
                data.Add(algorithm, length);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Output_equals_the_peer_and_each_opens_the_other(string algorithm, int length)
    {
        byte[] key = RandomNumberGenerator.GetBytes(AeadSubject.KeySizeOf(algorithm));
        byte[] nonce = RandomNumberGenerator.GetBytes(AeadSubject.NonceSizeOf(algorithm));
        byte[] plaintext = RandomNumberGenerator.GetBytes(length);
        byte[] ad = RandomNumberGenerator.GetBytes(length % 600);
        using var aead = AeadSubject.Create(algorithm, key);

        byte[] ct = new byte[length], tag = new byte[aead.TagSize];
        aead.Encrypt(nonce, plaintext, ct, tag, ad);
        byte[] peerCt = new byte[length], peerTag = new byte[aead.TagSize];
        AeadSubject.ReferenceEncrypt(algorithm, key, nonce, plaintext, peerCt, peerTag, ad);
        Assert.Equal(peerCt, ct);
        Assert.Equal(peerTag, tag);

        Assert.Equal(plaintext, AeadSubject.ReferenceDecrypt(algorithm, key, nonce, ct, tag, ad));
        byte[] opened = new byte[length];
        aead.Decrypt(nonce, peerCt, peerTag, opened, ad);
        Assert.Equal(plaintext, opened);
        using SecureBuffer secure = aead.DecryptToSecureBuffer(nonce, peerCt, peerTag, ad);
        Assert.True(secure.Span.SequenceEqual(plaintext));
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Any_flipped_bit_in_ciphertext_tag_associated_data_or_nonce_is_rejected(string algorithm, int length)
    {
        byte[] key = RandomNumberGenerator.GetBytes(AeadSubject.KeySizeOf(algorithm));
        byte[] nonce = RandomNumberGenerator.GetBytes(AeadSubject.NonceSizeOf(algorithm));
        byte[] ad = RandomNumberGenerator.GetBytes(1 + (length % 100));
        byte[] ct = new byte[length], tag = new byte[AeadSubject.TagSizeOf(algorithm)];
        using var aead = AeadSubject.Create(algorithm, key);
        aead.Encrypt(nonce, RandomNumberGenerator.GetBytes(length), ct, tag, ad);

        foreach (byte[] target in new[] { ct, tag, ad, nonce }.Where(t => t.Length > 0))
        {
            int bit = RandomNumberGenerator.GetInt32(target.Length * 8);
            target[bit / 8] ^= (byte)(1 << (bit % 8));
            byte[] opened = new byte[length];
            opened.AsSpan().Fill(0xAA);
            Assert.Throws<AuthenticationTagMismatchException>(() => aead.Decrypt(nonce, ct, tag, opened, ad));
            Assert.True(opened.AsSpan().IndexOfAnyExcept((byte)0) < 0, "the plaintext buffer was not zeroed after a bad tag");
            Assert.Throws<AuthenticationTagMismatchException>(() => aead.DecryptToSecureBuffer(nonce, ct, tag, ad).Dispose());
            target[bit / 8] ^= (byte)(1 << (bit % 8));
        }

        // The control: untouched, the same buffers open, so the rejections above were the flips.
        aead.Decrypt(nonce, ct, tag, new byte[length], ad);
    }
}
