using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using NSec.Cryptography;

namespace Ama.Cryptography.Benchmarks;

/// <summary>
/// SecureEnclave.Seal and Open of a 32-byte secret (target: at most 1 µs each), in the same run as the peers:
/// NSec XChaCha20-Poly1305 with its key held in NSec and a fresh random nonce, which does the same cipher work
/// with a key that is not re-randomised, and keeping the secret in its own SecureBuffer (allocate and copy).
/// </summary>
[MemoryDiagnoser]
[CategoriesColumn]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
public class EnclaveBenchmarks
{
    private const int Size = 32;
    private readonly byte[] nonce = new byte[24];
    private readonly byte[] plaintext = RandomNumberGenerator.GetBytes(Size);
    private readonly byte[] opened = new byte[Size];
    private byte[] sealedWithTag = [];
    private Key nsecKey = null!;
    private SecureEnclave enclave = null!;
    private SecureBuffer stored = null!;

    [GlobalSetup]
    public void Setup()
    {
        nsecKey = Key.Create(AeadAlgorithm.XChaCha20Poly1305);
        sealedWithTag = new byte[Size + 16];
        RandomNumberGenerator.Fill(nonce);
        AeadAlgorithm.XChaCha20Poly1305.Encrypt(nsecKey, nonce, default, plaintext, sealedWithTag);
        enclave = SecureEnclave.Seal(plaintext);
        stored = new SecureBuffer(Size);
        plaintext.CopyTo(stored.Span);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        nsecKey.Dispose();
        enclave.Dispose();
        stored.Dispose();
    }

    [Benchmark(Baseline = true, Description = "NSec XChaCha20Poly1305.Encrypt (random nonce)")]
    [BenchmarkCategory("seal")]
    public byte[] NSecSeal()
    {
        byte[] output = new byte[24 + Size + 16];
        RandomNumberGenerator.Fill(output.AsSpan(0, 24));
        AeadAlgorithm.XChaCha20Poly1305.Encrypt(nsecKey, output.AsSpan(0, 24), default, plaintext, output.AsSpan(24));
        return output;
    }

    [Benchmark(Description = "new SecureBuffer(32) + copy")]
    [BenchmarkCategory("seal")]
    public void SecureBufferStore()
    {
        using var buffer = new SecureBuffer(Size);
        plaintext.CopyTo(buffer.Span);
    }

    [Benchmark(Description = "SecureEnclave.Seal")]
    [BenchmarkCategory("seal")]
    public SecureEnclave EnclaveSeal() => SecureEnclave.Seal(plaintext);

    [Benchmark(Baseline = true, Description = "NSec XChaCha20Poly1305.Decrypt")]
    [BenchmarkCategory("open")]
    public bool NSecOpen() => AeadAlgorithm.XChaCha20Poly1305.Decrypt(nsecKey, nonce, default, sealedWithTag, opened);

    [Benchmark(Description = "new SecureBuffer(32) + copy from a SecureBuffer")]
    [BenchmarkCategory("open")]
    public void SecureBufferCopy()
    {
        using var buffer = new SecureBuffer(Size);
        stored.Span.CopyTo(buffer.Span);
    }

    [Benchmark(Description = "SecureEnclave.Open (+ Dispose of the buffer)")]
    [BenchmarkCategory("open")]
    public void EnclaveOpen()
    {
        using SecureBuffer buffer = enclave.Open();
    }
}
