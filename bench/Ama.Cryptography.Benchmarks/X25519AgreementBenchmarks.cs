using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;
using NSec.Cryptography;

namespace Ama.Cryptography.Benchmarks;

/// <summary>
/// Issue 12: one X25519 key agreement with a fixed peer, shared secret created and disposed, against NSec's
/// (reported, no target). Both call libsodium's crypto_scalarmult; NSec keeps the secret in sodium_malloc
/// memory, this library in a SecureBuffer.
/// </summary>
[MemoryDiagnoser]
public class X25519AgreementBenchmarks
{
    private byte[] peerPublicKey = [];
    private SecureX25519 secureKey = null!;
    private Key nsecKey = null!;
    private NSec.Cryptography.PublicKey nsecPeer = null!;

    [GlobalSetup]
    public void Setup()
    {
        byte[] privateKey = RandomNumberGenerator.GetBytes(32);
        secureKey = SecureX25519.FromPrivateKey(privateKey);
        nsecKey = Key.Import(KeyAgreementAlgorithm.X25519, privateKey, KeyBlobFormat.RawPrivateKey);
        using var peer = Key.Create(KeyAgreementAlgorithm.X25519);
        peerPublicKey = peer.PublicKey.Export(KeyBlobFormat.RawPublicKey);
        nsecPeer = peer.PublicKey;
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        secureKey.Dispose();
        nsecKey.Dispose();
    }

    [Benchmark(Baseline = true)]
    public void NSecAgree()
    {
        using SharedSecret? shared = KeyAgreementAlgorithm.X25519.Agree(nsecKey, nsecPeer);
    }

    [Benchmark]
    public void SecureX25519Agree()
    {
        using SecureBuffer shared = secureKey.DeriveSharedSecret(peerPublicKey);
    }
}
