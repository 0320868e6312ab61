using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;
using NSec.Cryptography;

namespace Ama.Cryptography.Benchmarks;

/// <summary>
/// Issue 12: SecureEd25519.Sign against NSec's Ed25519 over the same seed (target at least 1x). Both call
/// libsodium's crypto_sign_detached; the difference is the wrapper and the stack wipe after each signature.
/// </summary>
[MemoryDiagnoser]
public class Ed25519SignBenchmarks
{
    private readonly byte[] signature = new byte[64];
    private byte[] message = [];
    private SecureEd25519 secureSigner = null!;
    private Key nsecSigner = null!;

    [Params(64, 1024)]
    public int MessageBytes { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        message = RandomNumberGenerator.GetBytes(MessageBytes);
        byte[] seed = RandomNumberGenerator.GetBytes(32);
        secureSigner = SecureEd25519.FromSeed(seed);
        nsecSigner = Key.Import(SignatureAlgorithm.Ed25519, seed, KeyBlobFormat.RawPrivateKey);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        secureSigner.Dispose();
        nsecSigner.Dispose();
    }

    [Benchmark(Baseline = true)]
    public void NSecSign() => SignatureAlgorithm.Ed25519.Sign(nsecSigner, message, signature);

    [Benchmark]
    public int SecureEd25519Sign() => secureSigner.Sign(message, signature);
}
