using System.Security.Cryptography;
using Ama.Cryptography;

namespace Ama.Cli.Bench;

/// <summary>
/// The AES-GCM rows of <c>ama bench</c>: SecureAesGcm.Encrypt against the BCL's AesGcm with the same key,
/// at 64 B and 16 KiB. Left out where SecureAesGcm is not supported (no AES-NI/PCLMUL), rather than
/// measuring something else under its name.
/// </summary>
internal sealed class AeadFixture : IDisposable
{
    private const int Small = 64;
    private const int Large = 16 * 1024;
    private readonly byte[] nonce = new byte[12];
    private readonly byte[] tag = new byte[16];
    private readonly byte[] plaintext = RandomNumberGenerator.GetBytes(Large);
    private readonly byte[] ciphertext = new byte[Large];
    // The row names, also listed by `ama bench --help` so the help names every row the table may print.
    internal const string SmallRow = "AES-GCM 64 B";
    internal const string LargeRow = "AES-GCM 16 KiB";

    private readonly SecureAesGcm? secure;
    private readonly AesGcm? bcl;

    internal AeadFixture()
    {
        if (!SecureAesGcm.IsSupported)
        {
            return;
        }

        using SecureBuffer key = SecureMemory.RandomBytes(32);
        secure = new SecureAesGcm(key);
        bcl = new AesGcm(key.Span, tag.Length);
    }

    internal IReadOnlyList<BenchCase> Cases() => secure is null || bcl is null
        ? []
        : [Encrypt(SmallRow, Small, secure, bcl), Encrypt(LargeRow, Large, secure, bcl)];

    public void Dispose()
    {
        secure?.Dispose();
        bcl?.Dispose();
    }

    private BenchCase Encrypt(string name, int length, SecureAesGcm library, AesGcm baseline) => new(
        name,
        "AesGcm",
        () => library.Encrypt(nonce, plaintext.AsSpan(0, length), ciphertext.AsSpan(0, length), tag),
        () => baseline.Encrypt(nonce, plaintext.AsSpan(0, length), ciphertext.AsSpan(0, length), tag));
}
