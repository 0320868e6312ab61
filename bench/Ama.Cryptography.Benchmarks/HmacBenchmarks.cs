using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;

namespace Ama.Cryptography.Benchmarks;

/// <summary>
/// Issue 12: HMAC-SHA-256 of one message with a reused keyed object. <see cref="SecureHmac.ComputeHash"/>
/// (midstates in secure memory, libcrypto's SHA-256) against the BCL's <see cref="IncrementalHash"/>
/// (AppendData + GetHashAndReset, OpenSSL's HMAC context on its heap).
/// </summary>
public class HmacBenchmarks : IDisposable
{
    private readonly byte[] hash = new byte[32];
    private byte[] data = [];
    private SecureHmac? secure;
    private IncrementalHash? bcl;

    [Params(64, 16 * 1024)]
    public int Size { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        byte[] key = RandomNumberGenerator.GetBytes(32);
        data = RandomNumberGenerator.GetBytes(Size);
        secure = new SecureHmac(HashAlgorithmName.SHA256, key);
        bcl = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, key);
    }

    [Benchmark(Baseline = true)]
    public int IncrementalHashHmac()
    {
        bcl!.AppendData(data);
        return bcl.GetHashAndReset(hash);
    }

    [Benchmark]
    public int SecureHmacComputeHash() => secure!.ComputeHash(data, hash);

    [GlobalCleanup]
    public void Dispose()
    {
        secure?.Dispose();
        bcl?.Dispose();
        GC.SuppressFinalize(this);
    }
}
