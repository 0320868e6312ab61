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

    /// <summary>A stream given to the message API, or a message to the stream API, is named as such.</summary>
    [Fact]
    public async Task A_stream_given_to_Decrypt_and_a_message_given_to_DecryptStreamAsync_are_named()
    {
        using var storage = KeyRingTestSupport.StorageWithKey();
        using var ring = KeyRingAead.Open(storage, "data");
        byte[] message = ring.Encrypt(Plaintext);
        byte[] stream = await KeyRingTestSupport.EncryptStreamAsync(ring, Plaintext);

        var toMessage = Assert.ThrowsAny<System.Security.Cryptography.CryptographicException>(() => ring.Decrypt(stream));
        var toStream = await Assert.ThrowsAnyAsync<System.Security.Cryptography.CryptographicException>(() => KeyRingTestSupport.DecryptStreamAsync(ring, message));

        Assert.Contains("is a key ring stream", toMessage.Message, StringComparison.Ordinal);
        Assert.Contains("is a key ring message", toStream.Message, StringComparison.Ordinal);
    }

    /// <summary>A header naming version 0 or one above int.MaxValue says so, for messages and streams alike.</summary>
    [Theory]
    [InlineData(0u)]
    [InlineData(0x80000000u)]
    [InlineData(uint.MaxValue)]
    public async Task A_version_out_of_range_is_named(uint version)
    {
        using var storage = KeyRingTestSupport.StorageWithKey();
        using var ring = KeyRingAead.Open(storage, "data");
        byte[] message = ring.Encrypt(Plaintext);
        byte[] stream = await KeyRingTestSupport.EncryptStreamAsync(ring, Plaintext);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(message.AsSpan(2, 4), version);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(stream.AsSpan(2, 4), version);

        var fromMessage = Assert.ThrowsAny<System.Security.Cryptography.CryptographicException>(() => ring.Decrypt(message));
        var fromStream = await Assert.ThrowsAnyAsync<System.Security.Cryptography.CryptographicException>(() => KeyRingTestSupport.DecryptStreamAsync(ring, stream));

        string expected = $"key version {version.ToString(System.Globalization.CultureInfo.InvariantCulture)};";
        Assert.Contains(expected, fromMessage.Message, StringComparison.Ordinal);
        Assert.Contains(expected, fromStream.Message, StringComparison.Ordinal);
    }

    /// <summary>
    /// A plaintext or associated data too long for one ciphertext is an ArgumentException naming it, not a raw
    /// OverflowException. The spans claim close to int.MaxValue bytes over a 1-byte array (the header and the associated
    /// data together pass int.MaxValue): the length is refused before any byte is read.
    /// </summary>
    [Fact]
    public void A_plaintext_or_associated_data_too_long_for_a_ciphertext_is_an_argument_error()
    {
        using var storage = KeyRingTestSupport.StorageWithKey();
        using var ring = KeyRingAead.Open(storage, "data");
        byte[] ciphertext = ring.Encrypt(Plaintext);
        byte[] one = new byte[1];

        Assert.Equal("plaintext", Assert.Throws<ArgumentException>(() => ring.Encrypt(Huge(one))).ParamName);
        Assert.Equal("associatedData", Assert.Throws<ArgumentException>(() => ring.Encrypt(Plaintext, Huge(one))).ParamName);
        Assert.Equal("associatedData", Assert.Throws<ArgumentException>(() => ring.Decrypt(ciphertext, Huge(one))).ParamName);
        Assert.Equal("associatedData", Assert.Throws<ArgumentException>(() => ring.DecryptToSecureBuffer(ciphertext, Huge(one))).ParamName);
    }

    private static ReadOnlySpan<byte> Huge(byte[] backing) =>
        System.Runtime.InteropServices.MemoryMarshal.CreateReadOnlySpan(ref System.Runtime.InteropServices.MemoryMarshal.GetArrayDataReference(backing), int.MaxValue - 2);

    /// <summary>A stream the wrong way round is named before anything is read or written (it was the runtime's NotSupportedException mid-call).</summary>
    [Fact]
    public async Task A_stream_that_cannot_be_read_or_written_is_refused_naming_it()
    {
        using var storage = KeyRingTestSupport.StorageWithKey();
        using var ring = KeyRingAead.Open(storage, "data");
        var token = TestContext.Current.CancellationToken;
        using var readOnly = new MemoryStream(new byte[16], writable: false);
        using var writeOnly = new WriteOnlyStream();

        Assert.Equal("plaintext", (await Assert.ThrowsAsync<ArgumentException>(() => ring.EncryptStreamAsync(writeOnly, new MemoryStream(), cancellationToken: token))).ParamName);
        Assert.Equal("ciphertext", (await Assert.ThrowsAsync<ArgumentException>(() => ring.EncryptStreamAsync(new MemoryStream(), readOnly, cancellationToken: token))).ParamName);
        Assert.Equal("ciphertext", (await Assert.ThrowsAsync<ArgumentException>(() => ring.DecryptStreamAsync(writeOnly, new MemoryStream(), cancellationToken: token))).ParamName);
        Assert.Equal("plaintext", (await Assert.ThrowsAsync<ArgumentException>(() => ring.DecryptStreamAsync(new MemoryStream(), readOnly, cancellationToken: token))).ParamName);
        Assert.Equal(0, writeOnly.Length);
        Assert.Equal(0, readOnly.Position);
    }

    private sealed class WriteOnlyStream : MemoryStream
    {
        public override bool CanRead => false;
    }
}
