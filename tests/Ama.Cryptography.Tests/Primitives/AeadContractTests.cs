using System.Security.Cryptography;

namespace Ama.Cryptography.Tests.Primitives;

/// <summary>
/// The BCL-shaped contract of the secure AEADs: argument checks with the BCL's parameter names,
/// ObjectDisposedException after Dispose, keys copied in (the caller's buffer may go), in-place
/// operation, and IsSupported telling the truth about the CPU.
/// </summary>
public sealed class AeadContractTests
{
    [Fact]
    public void IsSupported_matches_the_CPU_and_ChaCha_and_AEGIS_are_always_supported()
    {
        bool aesGcmHardware = (System.Runtime.Intrinsics.X86.Aes.IsSupported && System.Runtime.Intrinsics.X86.Pclmulqdq.IsSupported) || (System.Runtime.Intrinsics.Arm.Aes.IsSupported);
        Assert.Equal(aesGcmHardware, SecureAesGcm.IsSupported);
        Assert.True(SecureChaCha20Poly1305.IsSupported);
        Assert.True(SecureXChaCha20Poly1305.IsSupported);

        // libsodium computes AEGIS on every CPU: with AES-NI or the ARMv8 crypto extensions, else in portable code.
        Assert.True(SecureAegis256.IsSupported);
        Assert.True(SecureAegis128L.IsSupported);
    }

    [Theory]
    [MemberData(nameof(AeadSubject.All), MemberType = typeof(AeadSubject))]
    public void Wrong_key_sizes_are_ArgumentException_naming_key(string algorithm)
    {
        foreach (int size in new[] { 0, 15, 16, 17, 24, 31, 32, 33, 64 }.Where(s => s != AeadSubject.KeySizeOf(algorithm)))
        {
            var e = Assert.ThrowsAny<ArgumentException>(() => AeadSubject.Create(algorithm, new byte[size]).Dispose());
            Assert.Equal("key", e.ParamName);
            using var buffer = new SecureBuffer(size);
            e = Assert.ThrowsAny<ArgumentException>(() => AeadSubject.Create(algorithm, buffer).Dispose());
            Assert.Equal("key", e.ParamName);
        }
    }

    [Theory]
    [MemberData(nameof(AeadSubject.All), MemberType = typeof(AeadSubject))]
    public void A_null_or_disposed_SecureBuffer_key_is_refused(string algorithm)
    {
        Assert.Throws<ArgumentNullException>(() => AeadSubject.Create(algorithm, (SecureBuffer)null!).Dispose());
        var key = new SecureBuffer(32);
        key.Dispose();
        Assert.Throws<ObjectDisposedException>(() => AeadSubject.Create(algorithm, key).Dispose());
    }

    [Theory]
    [MemberData(nameof(AeadSubject.All), MemberType = typeof(AeadSubject))]
    public void Wrong_nonce_tag_and_output_sizes_name_the_parameter(string algorithm)
    {
        using var aead = AeadSubject.Create(algorithm, new byte[AeadSubject.KeySizeOf(algorithm)]);
        int n = aead.NonceSize;
        int t = aead.TagSize;
        byte[] data = new byte[10];
        AssertParam("nonce", () => aead.Encrypt(new byte[n - 1], data, new byte[10], new byte[t]));
        AssertParam("nonce", () => aead.Encrypt(new byte[n + 1], data, new byte[10], new byte[t]));
        AssertParam("tag", () => aead.Encrypt(new byte[n], data, new byte[10], new byte[12]));
        AssertParam("tag", () => aead.Encrypt(new byte[n], data, new byte[10], new byte[t + 1]));
        AssertParam("ciphertext", () => aead.Encrypt(new byte[n], data, new byte[11], new byte[t]));
        AssertParam("nonce", () => aead.Decrypt(new byte[n + 1], data, new byte[t], new byte[10]));
        AssertParam("tag", () => aead.Decrypt(new byte[n], data, new byte[t - 1], new byte[10]));
        AssertParam("plaintext", () => aead.Decrypt(new byte[n], data, new byte[t], new byte[9]));
        AssertParam("nonce", () => aead.DecryptToSecureBuffer(Array.Empty<byte>(), data, new byte[t]).Dispose());
        AssertParam("tag", () => aead.DecryptToSecureBuffer(new byte[n], data, Array.Empty<byte>()).Dispose());
        if (t == 32)
        {
            // AEGIS also defines a 16-byte tag; libsodium computes only the 32-byte one, so a short tag is refused, not truncated.
            AssertParam("tag", () => aead.Encrypt(new byte[n], data, new byte[10], new byte[16]));
            AssertParam("tag", () => aead.Decrypt(new byte[n], data, new byte[16], new byte[10]));
        }
    }

    [Theory]
    [MemberData(nameof(AeadSubject.All), MemberType = typeof(AeadSubject))]
    public void In_place_works_and_a_shifted_overlap_is_refused(string algorithm)
    {
        byte[] key = RandomNumberGenerator.GetBytes(AeadSubject.KeySizeOf(algorithm));
        using var aead = AeadSubject.Create(algorithm, key);
        byte[] nonce = new byte[aead.NonceSize];
        byte[] message = RandomNumberGenerator.GetBytes(100);
        byte[] buffer = [.. message];
        byte[] tag = new byte[aead.TagSize];
        aead.Encrypt(nonce, buffer, buffer, tag);
        byte[] expectedCt = new byte[100], expectedTag = new byte[aead.TagSize];
        AeadSubject.ReferenceEncrypt(algorithm, key, nonce, message, expectedCt, expectedTag, []);
        Assert.Equal(expectedCt, buffer);
        aead.Decrypt(nonce, buffer, tag, buffer);
        Assert.Equal(message, buffer);

        byte[] big = new byte[101];
        AssertParam("ciphertext", () => aead.Encrypt(nonce, big.AsSpan(0, 100), big.AsSpan(1, 100), tag));
        AssertParam("plaintext", () => aead.Decrypt(nonce, big.AsSpan(1, 100), tag, big.AsSpan(0, 100)));
    }

    [Theory]
    [MemberData(nameof(AeadSubject.All), MemberType = typeof(AeadSubject))]
    public void Every_operation_after_Dispose_is_ObjectDisposedException_and_Dispose_twice_is_harmless(string algorithm)
    {
        var aead = AeadSubject.Create(algorithm, new byte[AeadSubject.KeySizeOf(algorithm)]);
        int n = aead.NonceSize;
        int t = aead.TagSize;
        aead.Dispose();
        aead.Dispose();
        Assert.Throws<ObjectDisposedException>(() => aead.Encrypt(new byte[n], new byte[1], new byte[1], new byte[t]));
        Assert.Throws<ObjectDisposedException>(() => aead.Decrypt(new byte[n], new byte[1], new byte[t], new byte[1]));
        Assert.Throws<ObjectDisposedException>(() => aead.DecryptToSecureBuffer(new byte[n], new byte[1], new byte[t]).Dispose());
    }

    [Theory]
    [MemberData(nameof(AeadSubject.All), MemberType = typeof(AeadSubject))]
    public void The_key_is_copied_so_the_callers_buffer_may_be_disposed_or_cleared(string algorithm)
    {
        byte[] keyBytes = RandomNumberGenerator.GetBytes(AeadSubject.KeySizeOf(algorithm));
        byte[] nonce = RandomNumberGenerator.GetBytes(AeadSubject.NonceSizeOf(algorithm));
        byte[] message = RandomNumberGenerator.GetBytes(200);
        byte[] expectedCt = new byte[200], expectedTag = new byte[AeadSubject.TagSizeOf(algorithm)];
        AeadSubject.ReferenceEncrypt(algorithm, keyBytes, nonce, message, expectedCt, expectedTag, []);

        var secureKey = new SecureBuffer(keyBytes.Length);
        keyBytes.CopyTo(secureKey.Span);
        using var fromBuffer = AeadSubject.Create(algorithm, secureKey);
        secureKey.Dispose();
        byte[] spanKey = [.. keyBytes];
        using var fromSpan = AeadSubject.Create(algorithm, spanKey);
        Array.Clear(spanKey);

        foreach (var aead in new[] { fromBuffer, fromSpan })
        {
            byte[] ct = new byte[200], tag = new byte[aead.TagSize];
            aead.Encrypt(nonce, message, ct, tag);
            Assert.Equal(expectedCt, ct);
            Assert.Equal(expectedTag, tag);
        }
    }

    [Theory]
    [MemberData(nameof(AeadSubject.All), MemberType = typeof(AeadSubject))]
    public void DecryptToSecureBuffer_returns_the_plaintext_in_secure_memory(string algorithm)
    {
        using var aead = AeadSubject.Create(algorithm, RandomNumberGenerator.GetBytes(AeadSubject.KeySizeOf(algorithm)));
        byte[] nonce = new byte[aead.NonceSize];
        byte[] secret = RandomNumberGenerator.GetBytes(32);
        byte[] ct = new byte[32], tag = new byte[aead.TagSize];
        aead.Encrypt(nonce, secret, ct, tag, "ad"u8);
        using SecureBuffer opened = aead.DecryptToSecureBuffer(nonce, ct, tag, "ad"u8);
        Assert.Equal(32, opened.Length);
        Assert.True(opened.Span.SequenceEqual(secret));
        Assert.Equal(Ama.Cryptography.Memory.SecureAllocator.DefaultSource, opened.Source);
    }

    [Fact]
    public async Task Dispose_during_an_encryption_waits_for_it_so_a_completed_call_is_always_correct()
    {
        // Without the reference a call holds, Dispose zeroes the AES round keys while libsodium is still
        // reading them, and the rest of that message comes out encrypted under a zero schedule.
        byte[] key = RandomNumberGenerator.GetBytes(32);
        byte[] nonce = new byte[12];
        byte[] message = RandomNumberGenerator.GetBytes(8 << 20);
        byte[] expected = new byte[message.Length], expectedTag = new byte[16];
        AeadSubject.ReferenceEncrypt(AeadSubject.AesGcm, key, nonce, message, expected, expectedTag, []);
        int overlapping = 0;
        for (int round = 0; round < 10; round++)
        {
            var aead = new SecureAesGcm(key);
            byte[] ct = new byte[message.Length], tag = new byte[16];
            using var started = new ManualResetEventSlim();
            long encryptEnded = 0;
            Task<bool> worker = Task.Run(() =>
            {
                started.Set();
                try
                {
                    aead.Encrypt(nonce, message, ct, tag);
                    encryptEnded = System.Diagnostics.Stopwatch.GetTimestamp();
                    return true;
                }
                catch (ObjectDisposedException)
                {
                    return false;
                }
            }, TestContext.Current.CancellationToken);
            started.Wait(TestContext.Current.CancellationToken);
            Thread.SpinWait(2000);
            aead.Dispose();
            long disposeEnded = System.Diagnostics.Stopwatch.GetTimestamp();
            if (await worker.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken))
            {
                Assert.True(ct.AsSpan().SequenceEqual(expected) && tag.AsSpan().SequenceEqual(expectedTag), $"round {round}: a call that returned normally produced wrong bytes");
                overlapping += disposeEnded < encryptEnded ? 1 : 0;
            }
        }

        Assert.True(overlapping > 0, "Dispose never returned while an encryption was running, so the test proved nothing");
    }

    private static void AssertParam(string name, Action action) =>
        Assert.Equal(name, Assert.ThrowsAny<ArgumentException>(action).ParamName);
}
