using System.Security.Cryptography;
using Ama.Cryptography.KeyManagement;
using BenchmarkDotNet.Attributes;

namespace Ama.Cryptography.Benchmarks;

/// <summary>
/// KeyRingAead.Encrypt of 64 bytes (header, random nonce, generation check, cipher lookup) against SecureAegis256.Encrypt
/// of 64 bytes with a random nonce made by the caller, the baseline, in the same run. The target is at most 2x.
/// Both run AEGIS-256 with a key in secure memory and write into a preallocated buffer.
/// </summary>
[MemoryDiagnoser]
public class KeyRingAeadBenchmarks
{
    private readonly byte[] plaintext = RandomNumberGenerator.GetBytes(64);
    private readonly byte[] nonce = new byte[SecureAegis256.NonceSizeInBytes];
    private readonly byte[] ciphertext = new byte[64];
    private readonly byte[] tag = new byte[SecureAegis256.TagSizeInBytes];
    private byte[] ringOutput = [];
    private SecureKeyStorage storage = null!;
    private KeyRingAead ring = null!;
    private SecureAegis256 aegis = null!;

    [GlobalSetup]
    public void Setup()
    {
        storage = new SecureKeyStorage(RandomNumberGenerator.GetBytes(32));
        storage.Store("data", RandomNumberGenerator.GetBytes(32));
        ring = KeyRingAead.Open(storage, "data");
        ring.EncryptionAlgorithm = KeyRingAlgorithm.Aegis256;
        ringOutput = new byte[ring.GetCiphertextLength(plaintext.Length)];
        using var key = SecureMemory.RandomBytes(32);
        aegis = new SecureAegis256(key);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        ring.Dispose();
        storage.Dispose();
        aegis.Dispose();
    }

    [Benchmark(Baseline = true)]
    public void SecureAegis256_Encrypt_64B()
    {
        RandomNumberGenerator.Fill(nonce);
        aegis.Encrypt(nonce, plaintext, ciphertext, tag);
    }

    [Benchmark]
    public int KeyRingAead_Encrypt_64B() => ring.Encrypt(plaintext, ringOutput.AsSpan());
}
