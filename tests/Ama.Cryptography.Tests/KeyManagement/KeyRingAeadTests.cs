using System.Security.Cryptography;
using Ama.Cryptography.KeyManagement;
using Ama.Cryptography.Tests.Infrastructure;
using static Ama.Cryptography.Tests.KeyManagement.KeyRingTestSupport;

namespace Ama.Cryptography.Tests.KeyManagement;

/// <summary>KeyRingAead messages: round trips, rotation in one process, the errors it promises.</summary>
public sealed class KeyRingAeadTests
{
    public static TheoryData<byte> AllAlgorithms => Algorithms();

    [Theory]
    [MemberData(nameof(AllAlgorithms))]
    public void Round_trips_through_every_overload(byte algorithm)
    {
        using var storage = StorageWithKey();
        using var ring = Open(storage, (KeyRingAlgorithm)algorithm);
        byte[] plaintext = RandomNumberGenerator.GetBytes(100);
        byte[] ad = [1, 2, 3];

        byte[] ciphertext = ring.Encrypt(plaintext, ad);
        Assert.Equal(ring.GetCiphertextLength(plaintext.Length), ciphertext.Length);
        Assert.Equal(algorithm, ciphertext[1]);
        Assert.Equal(plaintext, ring.Decrypt(ciphertext, ad));

        var destination = new byte[ring.GetCiphertextLength(plaintext.Length)];
        Assert.Equal(destination.Length, ring.Encrypt(plaintext, destination.AsSpan(), ad));
        var back = new byte[plaintext.Length];
        Assert.Equal(plaintext.Length, ring.Decrypt(destination, back.AsSpan(), ad));
        Assert.Equal(plaintext, back);

        using var secure = ring.DecryptToSecureBuffer(ciphertext, ad);
        Assert.Equal(plaintext, secure.Span.ToArray());
    }

    [Theory]
    [MemberData(nameof(AllAlgorithms))]
    public void Different_associated_data_fails(byte algorithm)
    {
        using var storage = StorageWithKey();
        using var ring = Open(storage, (KeyRingAlgorithm)algorithm);
        byte[] ciphertext = ring.Encrypt([9, 9], [1]);
        Assert.Equal([9, 9], ring.Decrypt(ciphertext, [1]));
        Assert.ThrowsAny<CryptographicException>(() => ring.Decrypt(ciphertext, [2]));
        Assert.ThrowsAny<CryptographicException>(() => ring.Decrypt(ciphertext));
    }

    [Fact]
    public void Encrypts_with_the_newest_version_and_decrypts_every_older_one()
    {
        using var storage = StorageWithKey();
        using var ring = KeyRingAead.Open(storage, "data");
        byte[] first = ring.Encrypt([1]);
        Assert.Equal(1, VersionOf(first));

        Assert.Equal(2, storage.Store("data", RandomNumberGenerator.GetBytes(32)));
        byte[] second = ring.Encrypt([2]);
        Assert.Equal(2, VersionOf(second));
        Assert.Equal([1], ring.Decrypt(first));
        Assert.Equal([2], ring.Decrypt(second));
    }

    [Fact]
    public void A_destroyed_version_fails_naming_key_and_version_even_after_it_was_cached()
    {
        using var storage = StorageWithKey("orders");
        using var ring = KeyRingAead.Open(storage, "orders");
        byte[] old = ring.Encrypt([1]);
        storage.Store("orders", RandomNumberGenerator.GetBytes(32));
        Assert.Equal([1], ring.Decrypt(old));

        Assert.True(storage.DestroyVersion("orders", 1));
        var e = Assert.ThrowsAny<CryptographicException>(() => ring.Decrypt(old));
        Assert.Contains("'orders'", e.Message, StringComparison.Ordinal);
        Assert.Contains("version 1", e.Message, StringComparison.Ordinal);
        Assert.Equal(2, VersionOf(ring.Encrypt([3])));
    }

    [Fact]
    public void A_deleted_key_fails_decryption_naming_it_and_encryption_with_KeyNotFound()
    {
        using var storage = StorageWithKey("orders");
        using var ring = KeyRingAead.Open(storage, "orders");
        byte[] old = ring.Encrypt([1]);
        Assert.True(storage.Delete("orders"));

        var e = Assert.ThrowsAny<CryptographicException>(() => ring.Decrypt(old));
        Assert.Contains("'orders'", e.Message, StringComparison.Ordinal);
        Assert.Throws<KeyNotFoundException>(() => ring.Encrypt([1]));
    }

    [Fact]
    public void Open_of_a_missing_key_throws_KeyNotFound_naming_it()
    {
        using var storage = StorageWithKey("present");
        var e = Assert.Throws<KeyNotFoundException>(() => KeyRingAead.Open(storage, "absent"));
        Assert.Contains("'absent'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_key_that_is_not_32_bytes_is_refused_at_open_and_after_rotation()
    {
        using var storage = new SecureKeyStorage(RandomNumberGenerator.GetBytes(32));
        storage.Store("short", new byte[16]);
        var e = Assert.ThrowsAny<CryptographicException>(() => KeyRingAead.Open(storage, "short"));
        Assert.Contains("'short'", e.Message, StringComparison.Ordinal);
        Assert.Contains("16 bytes", e.Message, StringComparison.Ordinal);

        storage.Store("grows", RandomNumberGenerator.GetBytes(32));
        using var ring = KeyRingAead.Open(storage, "grows");
        storage.Store("grows", RandomNumberGenerator.GetBytes(33));
        Assert.Contains("33 bytes", Assert.ThrowsAny<CryptographicException>(() => ring.Encrypt([1])).Message, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(AllAlgorithms))]
    public void A_destination_too_small_is_refused_and_one_of_the_exact_size_accepted(byte algorithm)
    {
        using var storage = StorageWithKey();
        using var ring = Open(storage, (KeyRingAlgorithm)algorithm);
        int length = ring.GetCiphertextLength(10);
        Assert.Throws<ArgumentException>("destination", () => ring.Encrypt(new byte[10], new byte[length - 1].AsSpan()));
        var ciphertext = new byte[length];
        Assert.Equal(length, ring.Encrypt(new byte[10], ciphertext.AsSpan()));

        Assert.Throws<ArgumentException>("destination", () => ring.Decrypt(ciphertext, new byte[9].AsSpan()));
        Assert.Equal(10, ring.Decrypt(ciphertext, new byte[10].AsSpan()));
    }

    [Fact]
    public void Overlapping_plaintext_and_destination_are_refused()
    {
        using var storage = StorageWithKey();
        using var ring = KeyRingAead.Open(storage, "data");
        var buffer = new byte[200];
        Assert.Throws<ArgumentException>("destination", () => ring.Encrypt(buffer.AsSpan(0, 10), buffer.AsSpan(5), default));
    }

    [Fact]
    public async Task A_disposed_ring_throws_ObjectDisposed()
    {
        using var storage = StorageWithKey();
        var ring = KeyRingAead.Open(storage, "data");
        byte[] ciphertext = ring.Encrypt([1]);
        ring.Dispose();
        ring.Dispose();

        Assert.Throws<ObjectDisposedException>(() => ring.Encrypt([1]));
        Assert.Throws<ObjectDisposedException>(() => ring.Decrypt(ciphertext));
        Assert.Throws<ObjectDisposedException>(() => ring.DecryptToSecureBuffer(ciphertext));
        await Assert.ThrowsAsync<ObjectDisposedException>(() => EncryptStreamAsync(ring, [1]));
    }

    [Fact]
    public void GetCiphertextLength_rejects_negative_and_overflowing_lengths()
    {
        using var storage = StorageWithKey();
        using var ring = KeyRingAead.Open(storage, "data");
        Assert.Throws<ArgumentOutOfRangeException>(() => ring.GetCiphertextLength(-1));
        Assert.Throws<ArgumentOutOfRangeException>(() => ring.GetCiphertextLength(int.MaxValue));
    }

    [Fact]
    public void Ciphertexts_written_with_one_algorithm_decrypt_on_a_ring_that_would_choose_the_other()
    {
        Tools.RequireThat(SecureAegis256.IsSupported, "libsodium runs AEGIS-256");
        using var storage = StorageWithKey();
        using var aegisHost = Open(storage, KeyRingAlgorithm.Aegis256);
        using var chachaHost = Open(storage, KeyRingAlgorithm.XChaCha20Poly1305);

        byte[] fromAegisHost = aegisHost.Encrypt([1, 2], [7]);
        byte[] fromChachaHost = chachaHost.Encrypt([3, 4], [7]);
        Assert.Equal((byte)KeyRingAlgorithm.Aegis256, fromAegisHost[1]);
        Assert.Equal((byte)KeyRingAlgorithm.XChaCha20Poly1305, fromChachaHost[1]);
        Assert.Equal([1, 2], chachaHost.Decrypt(fromAegisHost, [7]));
        Assert.Equal([3, 4], aegisHost.Decrypt(fromChachaHost, [7]));
    }

    [Fact]
    public async Task Streams_written_with_one_algorithm_decrypt_on_a_ring_that_would_choose_the_other()
    {
        Tools.RequireThat(SecureAegis256.IsSupported, "libsodium runs AEGIS-256");
        using var storage = StorageWithKey();
        using var aegisHost = Open(storage, KeyRingAlgorithm.Aegis256, chunkSize: 7);
        using var chachaHost = Open(storage, KeyRingAlgorithm.XChaCha20Poly1305, chunkSize: 5);
        byte[] plaintext = RandomNumberGenerator.GetBytes(40);

        Assert.Equal(plaintext, await DecryptStreamAsync(chachaHost, await EncryptStreamAsync(aegisHost, plaintext)));
        Assert.Equal(plaintext, await DecryptStreamAsync(aegisHost, await EncryptStreamAsync(chachaHost, plaintext)));
    }

    [Fact]
    public void The_default_algorithm_is_AEGIS_256_where_supported_else_XChaCha20_Poly1305()
    {
        using var storage = StorageWithKey();
        using var ring = KeyRingAead.Open(storage, "data");
        var expected = SecureAegis256.IsSupported ? KeyRingAlgorithm.Aegis256 : KeyRingAlgorithm.XChaCha20Poly1305;
        Assert.Equal((byte)expected, ring.Encrypt([1])[1]);
    }
}
