using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using NSec.Cryptography;

namespace Ama.Cryptography.Benchmarks;

/// <summary>
/// The AEGIS targets, peers in the same run: SecureAegis256.Encrypt and SecureAegis128L.Encrypt against BCL
/// AesGcm (the baseline, 16-byte tag) and NSec's Aegis256 and Aegis128L (32-byte tag, the same libsodium code
/// without the key in secure memory or the scrubbing). Every key comes from a SecureBuffer; the objects are built
/// once, as a caller reusing a key would.
/// </summary>
[MemoryDiagnoser]
[CategoriesColumn]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory, BenchmarkLogicalGroupRule.ByParams)]
public class AegisBenchmarks
{
    private readonly byte[] gcmNonce = new byte[12];
    private readonly byte[] gcmTag = new byte[16];
    private readonly byte[] nonce256 = new byte[SecureAegis256.NonceSizeInBytes];
    private readonly byte[] nonce128L = new byte[SecureAegis128L.NonceSizeInBytes];
    private readonly byte[] aegisTag = new byte[SecureAegis256.TagSizeInBytes];
    private byte[] plaintext = [];
    private byte[] ciphertext = [];
    private byte[] sealedWithTag = [];
    private SecureBuffer key = null!;
    private AesGcm bclAesGcm = null!;
    private SecureAegis256 secureAegis256 = null!;
    private SecureAegis128L secureAegis128L = null!;
    private Key nsecAegis256 = null!;
    private Key nsecAegis128L = null!;

    [Params(64, 16 * 1024)]
    public int Size { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        plaintext = RandomNumberGenerator.GetBytes(Size);
        ciphertext = new byte[Size];
        sealedWithTag = new byte[Size + SecureAegis256.TagSizeInBytes];
        key = SecureMemory.RandomBytes(32);
        ReadOnlySpan<byte> key128 = key.Span[..SecureAegis128L.KeySizeInBytes];
        bclAesGcm = new AesGcm(key.Span, 16);
        secureAegis256 = new SecureAegis256(key);
        secureAegis128L = new SecureAegis128L(key128);
        nsecAegis256 = Key.Import(AeadAlgorithm.Aegis256, key.Span, KeyBlobFormat.RawSymmetricKey);
        nsecAegis128L = Key.Import(AeadAlgorithm.Aegis128L, key128, KeyBlobFormat.RawSymmetricKey);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        bclAesGcm.Dispose();
        secureAegis256.Dispose();
        secureAegis128L.Dispose();
        nsecAegis256.Dispose();
        nsecAegis128L.Dispose();
        key.Dispose();
    }

    [Benchmark(Baseline = true, Description = "BCL AesGcm.Encrypt")]
    [BenchmarkCategory("aegis")]
    public void BclAesGcm() => bclAesGcm.Encrypt(gcmNonce, plaintext, ciphertext, gcmTag);

    [Benchmark(Description = "NSec Aegis256.Encrypt")]
    [BenchmarkCategory("aegis")]
    public void NSecAegis256Encrypt() => AeadAlgorithm.Aegis256.Encrypt(nsecAegis256, nonce256, default, plaintext, sealedWithTag);

    [Benchmark(Description = "SecureAegis256.Encrypt")]
    [BenchmarkCategory("aegis")]
    public void SecureAegis256Encrypt() => secureAegis256.Encrypt(nonce256, plaintext, ciphertext, aegisTag);

    [Benchmark(Description = "NSec Aegis128L.Encrypt")]
    [BenchmarkCategory("aegis")]
    public void NSecAegis128LEncrypt() => AeadAlgorithm.Aegis128L.Encrypt(nsecAegis128L, nonce128L, default, plaintext, sealedWithTag);

    [Benchmark(Description = "SecureAegis128L.Encrypt")]
    [BenchmarkCategory("aegis")]
    public void SecureAegis128LEncrypt() => secureAegis128L.Encrypt(nonce128L, plaintext, ciphertext, aegisTag);
}
