using System.Security.Cryptography;
using NSec.Cryptography;
using Ama.Cryptography.Tests.Infrastructure;

namespace Ama.Cryptography.Tests.Primitives;

/// <summary>The AEADs' size constants, the BCL's way: equal to the BCL's and NSec's, and exactly what Encrypt accepts.</summary>
public sealed partial class AeadSizeTests
{
    [Fact]
    public void AesGcm_sizes_match_the_BCL()
    {
        Assert.Equal(System.Security.Cryptography.AesGcm.NonceByteSizes.MinSize, SecureAesGcm.NonceByteSizes.MinSize);
        Assert.Equal(System.Security.Cryptography.AesGcm.NonceByteSizes.MaxSize, SecureAesGcm.NonceByteSizes.MaxSize);
        Assert.Equal(SecureAesGcm.NonceSizeInBytes, SecureAesGcm.NonceByteSizes.MinSize);
        Assert.Equal(SecureAesGcm.NonceSizeInBytes, SecureAesGcm.NonceByteSizes.MaxSize);

        // The BCL accepts tags of 12 to 16 bytes; this cipher only full 16-byte tags, the BCL's largest.
        Assert.Equal(System.Security.Cryptography.AesGcm.TagByteSizes.MaxSize, SecureAesGcm.TagByteSizes.MaxSize);
        Assert.Equal(SecureAesGcm.TagSizeInBytes, SecureAesGcm.TagByteSizes.MinSize);
        Assert.Equal(SecureAesGcm.TagSizeInBytes, SecureAesGcm.TagByteSizes.MaxSize);
        Assert.Equal(32, SecureAesGcm.KeySizeInBytes);
    }

    [Fact]
    public void ChaCha_sizes_match_NSec()
    {
        Assert.Equal(SecureChaCha20Poly1305.KeySizeInBytes, AeadAlgorithm.ChaCha20Poly1305.KeySize);
        Assert.Equal(SecureChaCha20Poly1305.NonceSizeInBytes, AeadAlgorithm.ChaCha20Poly1305.NonceSize);
        Assert.Equal(SecureChaCha20Poly1305.TagSizeInBytes, AeadAlgorithm.ChaCha20Poly1305.TagSize);
        Assert.Equal(SecureXChaCha20Poly1305.KeySizeInBytes, AeadAlgorithm.XChaCha20Poly1305.KeySize);
        Assert.Equal(SecureXChaCha20Poly1305.NonceSizeInBytes, AeadAlgorithm.XChaCha20Poly1305.NonceSize);
        Assert.Equal(SecureXChaCha20Poly1305.TagSizeInBytes, AeadAlgorithm.XChaCha20Poly1305.TagSize);
    }

    [Fact]
    public void Aegis_sizes_match_NSec_and_libsodium()
    {
        Assert.Equal(SecureAegis256.KeySizeInBytes, AeadAlgorithm.Aegis256.KeySize);
        Assert.Equal(SecureAegis256.NonceSizeInBytes, AeadAlgorithm.Aegis256.NonceSize);
        Assert.Equal(SecureAegis256.TagSizeInBytes, AeadAlgorithm.Aegis256.TagSize);
        Assert.Equal(SecureAegis128L.KeySizeInBytes, AeadAlgorithm.Aegis128L.KeySize);
        Assert.Equal(SecureAegis128L.NonceSizeInBytes, AeadAlgorithm.Aegis128L.NonceSize);
        Assert.Equal(SecureAegis128L.TagSizeInBytes, AeadAlgorithm.Aegis128L.TagSize);
        Assert.Equal((32, 32, 32), (SecureAegis256.KeySizeInBytes, SecureAegis256.NonceSizeInBytes, SecureAegis256.TagSizeInBytes));
        Assert.Equal((16, 16, 32), (SecureAegis128L.KeySizeInBytes, SecureAegis128L.NonceSizeInBytes, SecureAegis128L.TagSizeInBytes));
        Assert.Equal((nuint)SecureAegis256.TagSizeInBytes, AegisSizes.Aegis256ABytes());
        Assert.Equal((nuint)SecureAegis128L.TagSizeInBytes, AegisSizes.Aegis128LABytes());
    }

    [Fact]
    public void Aegis256_encrypt_accepts_exactly_the_advertised_sizes()
    {
        using var aead = new SecureAegis256(new byte[SecureAegis256.KeySizeInBytes]);
        CheckSizes(aead.Encrypt, SecureAegis256.NonceSizeInBytes, SecureAegis256.TagSizeInBytes);
        Assert.Throws<ArgumentException>(() => new SecureAegis256(new byte[SecureAegis128L.KeySizeInBytes]));
    }

    [Fact]
    public void Aegis128L_encrypt_accepts_exactly_the_advertised_sizes()
    {
        using var aead = new SecureAegis128L(new byte[SecureAegis128L.KeySizeInBytes]);
        CheckSizes(aead.Encrypt, SecureAegis128L.NonceSizeInBytes, SecureAegis128L.TagSizeInBytes);
        Assert.Throws<ArgumentException>(() => new SecureAegis128L(new byte[SecureAegis256.KeySizeInBytes]));
    }

    [Fact]
    public void AesGcm_encrypt_accepts_exactly_the_advertised_sizes()
    {
        Tools.RequireThat(SecureAesGcm.IsSupported, "the CPU has hardware AES-GCM");
        using var aead = new SecureAesGcm(new byte[SecureAesGcm.KeySizeInBytes]);
        CheckSizes(aead.Encrypt, SecureAesGcm.NonceSizeInBytes, SecureAesGcm.TagSizeInBytes);
        Assert.Throws<ArgumentException>(() => new SecureAesGcm(new byte[SecureAesGcm.KeySizeInBytes - 1]));
    }

    [Fact]
    public void ChaCha20Poly1305_encrypt_accepts_exactly_the_advertised_sizes()
    {
        using var aead = new SecureChaCha20Poly1305(new byte[SecureChaCha20Poly1305.KeySizeInBytes]);
        CheckSizes(aead.Encrypt, SecureChaCha20Poly1305.NonceSizeInBytes, SecureChaCha20Poly1305.TagSizeInBytes);
        Assert.Throws<ArgumentException>(() => new SecureChaCha20Poly1305(new byte[SecureChaCha20Poly1305.KeySizeInBytes + 1]));
    }

    [Fact]
    public void XChaCha20Poly1305_encrypt_accepts_exactly_the_advertised_sizes()
    {
        using var aead = new SecureXChaCha20Poly1305(new byte[SecureXChaCha20Poly1305.KeySizeInBytes]);
        CheckSizes(aead.Encrypt, SecureXChaCha20Poly1305.NonceSizeInBytes, SecureXChaCha20Poly1305.TagSizeInBytes);
        Assert.Throws<ArgumentException>(() => new SecureXChaCha20Poly1305(new byte[SecureXChaCha20Poly1305.KeySizeInBytes - 1]));
    }

    private delegate void EncryptCall(ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> plaintext, Span<byte> ciphertext, Span<byte> tag, ReadOnlySpan<byte> associatedData);

    private static void CheckSizes(EncryptCall encrypt, int nonceSize, int tagSize)
    {
        var plaintext = new byte[5];
        var ciphertext = new byte[5];
        encrypt(new byte[nonceSize], plaintext, ciphertext, new byte[tagSize], default);
        foreach (int wrongNonce in new[] { nonceSize - 1, nonceSize + 1 })
        {
            Assert.Throws<ArgumentException>(() => encrypt(new byte[wrongNonce], plaintext, ciphertext, new byte[tagSize], default));
        }

        foreach (int wrongTag in new[] { 12, 16, tagSize - 1, tagSize + 1 }.Where(t => t != tagSize))
        {
            Assert.Throws<ArgumentException>(() => encrypt(new byte[nonceSize], plaintext, ciphertext, new byte[wrongTag], default));
        }
    }

    /// <summary>libsodium's own answer for the AEGIS tag length, read directly (the library binds these functions nowhere).</summary>
    private static partial class AegisSizes
    {
        [System.Runtime.InteropServices.LibraryImport("libsodium", EntryPoint = "crypto_aead_aegis256_abytes")]
        internal static partial nuint Aegis256ABytes();

        [System.Runtime.InteropServices.LibraryImport("libsodium", EntryPoint = "crypto_aead_aegis128l_abytes")]
        internal static partial nuint Aegis128LABytes();
    }
}
