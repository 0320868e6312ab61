using System.Runtime.InteropServices;
using System.Security.Cryptography;
using Ama.Cryptography.Benchmarks.Interop;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using NSec.Cryptography;

namespace Ama.Cryptography.Benchmarks;

/// <summary>
/// Keys in use with register and stack scrubbing on, against the peers in the same run: NSec (the same libsodium,
/// no scrubbing) as the baseline of the AEAD rows, libsodium's precomputed AES-GCM called directly as the floor,
/// and the BCL's IncrementalHash as the baseline of the HMAC rows.
/// </summary>
[MemoryDiagnoser]
[CategoriesColumn]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory, BenchmarkLogicalGroupRule.ByParams)]
public unsafe class KeyUseScrubbingBenchmarks
{
    private readonly byte[] nonce = new byte[12];
    private readonly byte[] tag = new byte[16];
    private readonly byte[] hash = new byte[32];
    private byte[] plaintext = [];
    private byte[] ciphertext = [];
    private byte[] sealedWithTag = [];
    private SecureBuffer key = null!;
    private SecureAesGcm secureAesGcm = null!;
    private SecureChaCha20Poly1305 secureChaCha = null!;
    private Key nsecAesKey = null!;
    private Key nsecChaChaKey = null!;
    private SecureHmac secureHmac = null!;
    private System.Security.Cryptography.IncrementalHash bclHmac = null!;
    private byte* sodiumState;

    [Params(64, 16 * 1024)]
    public int Size { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        if (!SecureMemory.GetStatus().RegisterAndStackScrubbing)
        {
            throw new InvalidOperationException("Register and stack scrubbing is off here; these rows would not measure it.");
        }

        plaintext = RandomNumberGenerator.GetBytes(Size);
        ciphertext = new byte[Size];
        sealedWithTag = new byte[Size + 16];
        key = SecureMemory.RandomBytes(32);
        secureAesGcm = new SecureAesGcm(key);
        secureChaCha = new SecureChaCha20Poly1305(key);
        nsecAesKey = Key.Import(AeadAlgorithm.Aes256Gcm, key.Span, KeyBlobFormat.RawSymmetricKey);
        nsecChaChaKey = Key.Import(AeadAlgorithm.ChaCha20Poly1305, key.Span, KeyBlobFormat.RawSymmetricKey);
        secureHmac = new SecureHmac(HashAlgorithmName.SHA256, key);
        bclHmac = System.Security.Cryptography.IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, key.Span);
        Sodium.EnsureInitialised();
        sodiumState = (byte*)NativeMemory.AlignedAlloc(SodiumAesGcm.StateBytes(), 64);
        fixed (byte* k = key.Span)
        {
            _ = SodiumAesGcm.BeforeNm(sodiumState, k);
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        secureAesGcm.Dispose();
        secureChaCha.Dispose();
        nsecAesKey.Dispose();
        nsecChaChaKey.Dispose();
        secureHmac.Dispose();
        bclHmac.Dispose();
        key.Dispose();
        NativeMemory.AlignedFree(sodiumState);
    }

    [Benchmark(Baseline = true, Description = "NSec Aes256Gcm.Encrypt")]
    [BenchmarkCategory("aes-gcm")]
    public void NSecAesGcm() => AeadAlgorithm.Aes256Gcm.Encrypt(nsecAesKey, nonce, default, plaintext, sealedWithTag);

    [Benchmark(Description = "SecureAesGcm.Encrypt (scrubbed)")]
    [BenchmarkCategory("aes-gcm")]
    public void SecureAesGcm() => secureAesGcm.Encrypt(nonce, plaintext, ciphertext, tag);

    [Benchmark(Description = "libsodium encrypt_detached_afternm, direct")]
    [BenchmarkCategory("aes-gcm")]
    public int SodiumAfterNm()
    {
        fixed (byte* c = ciphertext, t = tag, m = plaintext, n = nonce)
        {
            return SodiumAesGcm.EncryptAfterNm(c, t, null, m, (ulong)plaintext.Length, null, 0, null, n, sodiumState);
        }
    }

    [Benchmark(Baseline = true, Description = "NSec ChaCha20Poly1305.Encrypt")]
    [BenchmarkCategory("chacha20-poly1305")]
    public void NSecChaCha() => AeadAlgorithm.ChaCha20Poly1305.Encrypt(nsecChaChaKey, nonce, default, plaintext, sealedWithTag);

    [Benchmark(Description = "SecureChaCha20Poly1305.Encrypt (scrubbed)")]
    [BenchmarkCategory("chacha20-poly1305")]
    public void SecureChaCha() => secureChaCha.Encrypt(nonce, plaintext, ciphertext, tag);

    [Benchmark(Baseline = true, Description = "BCL IncrementalHash HMAC-SHA256")]
    [BenchmarkCategory("hmac-sha256")]
    public int BclHmac()
    {
        bclHmac.AppendData(plaintext);
        return bclHmac.GetHashAndReset(hash);
    }

    [Benchmark(Description = "SecureHmac.ComputeHash (scrubbed)")]
    [BenchmarkCategory("hmac-sha256")]
    public int SecureHmacComputeHash() => secureHmac.ComputeHash(plaintext, hash);
}
