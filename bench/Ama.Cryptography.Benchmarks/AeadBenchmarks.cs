using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using NSec.Cryptography;

namespace Ama.Cryptography.Benchmarks;

/// <summary>
/// Issue 12's AEAD targets, peers in the same run: SecureAesGcm.Encrypt against BCL AesGcm (the
/// baseline) and NSec Aes256Gcm; SecureChaCha20Poly1305.Encrypt against BCL ChaCha20Poly1305.
/// Every key comes from a SecureBuffer; the objects are built once, as a caller reusing a key would.
/// </summary>
[MemoryDiagnoser]
[CategoriesColumn]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory, BenchmarkLogicalGroupRule.ByParams)]
public class AeadBenchmarks
{
    private readonly byte[] nonce = new byte[12];
    private readonly byte[] tag = new byte[16];
    private byte[] plaintext = [];
    private byte[] ciphertext = [];
    private byte[] sealedWithTag = [];
    private SecureBuffer key = null!;
    private SecureAesGcm secureAesGcm = null!;
    private AesGcm bclAesGcm = null!;
    private Key nsecKey = null!;
    private SecureChaCha20Poly1305 secureChaCha = null!;
    private System.Security.Cryptography.ChaCha20Poly1305 bclChaCha = null!;

    [Params(64, 16 * 1024)]
    public int Size { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        plaintext = RandomNumberGenerator.GetBytes(Size);
        ciphertext = new byte[Size];
        sealedWithTag = new byte[Size + 16];
        key = SecureMemory.RandomBytes(32);
        secureAesGcm = new SecureAesGcm(key);
        bclAesGcm = new AesGcm(key.Span, 16);
        nsecKey = Key.Import(AeadAlgorithm.Aes256Gcm, key.Span, KeyBlobFormat.RawSymmetricKey);
        secureChaCha = new SecureChaCha20Poly1305(key);
        bclChaCha = new System.Security.Cryptography.ChaCha20Poly1305(key.Span);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        secureAesGcm.Dispose();
        bclAesGcm.Dispose();
        nsecKey.Dispose();
        secureChaCha.Dispose();
        bclChaCha.Dispose();
        key.Dispose();
    }

    [Benchmark(Baseline = true, Description = "BCL AesGcm.Encrypt")]
    [BenchmarkCategory("aes-gcm")]
    public void BclAesGcm() => bclAesGcm.Encrypt(nonce, plaintext, ciphertext, tag);

    [Benchmark(Description = "NSec Aes256Gcm.Encrypt")]
    [BenchmarkCategory("aes-gcm")]
    public void NSecAesGcm() => AeadAlgorithm.Aes256Gcm.Encrypt(nsecKey, nonce, default, plaintext, sealedWithTag);

    [Benchmark(Description = "SecureAesGcm.Encrypt")]
    [BenchmarkCategory("aes-gcm")]
    public void SecureAesGcm() => secureAesGcm.Encrypt(nonce, plaintext, ciphertext, tag);

    [Benchmark(Baseline = true, Description = "BCL ChaCha20Poly1305.Encrypt")]
    [BenchmarkCategory("chacha20-poly1305")]
    public void BclChaCha() => bclChaCha.Encrypt(nonce, plaintext, ciphertext, tag);

    [Benchmark(Description = "SecureChaCha20Poly1305.Encrypt")]
    [BenchmarkCategory("chacha20-poly1305")]
    public void SecureChaCha() => secureChaCha.Encrypt(nonce, plaintext, ciphertext, tag);
}
