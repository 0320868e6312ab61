using System.Security.Cryptography;
using Ama.Cryptography;

namespace Ama.Cli.Bench;

/// <summary>The HMAC-SHA-256 rows of <c>ama bench</c>: SecureHmac.ComputeHash against IncrementalHash, reused objects.</summary>
internal sealed class HmacBenchCases : IDisposable
{
    private readonly byte[] small = RandomNumberGenerator.GetBytes(64);
    private readonly byte[] large = RandomNumberGenerator.GetBytes(16 * 1024);
    private readonly byte[] hash = new byte[32];
    private readonly SecureHmac? secure;
    private readonly IncrementalHash bcl;

    internal HmacBenchCases()
    {
        // Test data, not a secret; the BCL gets the same key so both compute the same tags.
        byte[] key = RandomNumberGenerator.GetBytes(32);
        secure = SecureHmac.IsSupported ? new SecureHmac(HashAlgorithmName.SHA256, key) : null;
        bcl = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, key);
    }

    /// <summary>The rows, or none where SecureHmac is not supported.</summary>
    internal IReadOnlyList<BenchCase> Cases() => secure is null
        ? []
        :
        [
            new("hmac-sha256 64 B", "IncrementalHash", () => secure.ComputeHash(small, hash), () => Bcl(small)),
            new("hmac-sha256 16 KiB", "IncrementalHash", () => secure.ComputeHash(large, hash), () => Bcl(large)),
        ];

    public void Dispose()
    {
        secure?.Dispose();
        bcl.Dispose();
    }

    private void Bcl(byte[] data)
    {
        bcl.AppendData(data);
        bcl.GetHashAndReset(hash);
    }
}
