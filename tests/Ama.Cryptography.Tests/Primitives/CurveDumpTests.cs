using System.Security.Cryptography;
using Ama.Cryptography.Tests.Infrastructure;
using NSec.Cryptography;

namespace Ama.Cryptography.Tests.Primitives;

/// <summary>
/// A child builds SecureEd25519 and SecureX25519 from SecureBuffers it then disposes, signs and agrees; the real
/// dump writers dump it live and after Dispose. The seed, the 64-byte secret key, the expanded scalar and nonce
/// prefix, the X25519 private key (as given and clamped) and the shared secret must be absent, while plain arrays
/// holding the same kinds of values for a control pattern must be found.
/// </summary>
public sealed class CurveDumpTests : IDisposable
{
    private const int EdSeed = 120_001;
    private const int XSeed = 120_002;
    private const int ControlSeed = 120_003;
    private readonly string directory = Directory.CreateTempSubdirectory("ama-curve-dumps-").FullName;

    public static TheoryData<DumpKind> Kinds => [DumpKind.CreatedumpFull, DumpKind.CreatedumpWithHeap, DumpKind.Gcore];

    public void Dispose() => Directory.Delete(directory, recursive: true);

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Curve_keys_and_derived_secrets_are_absent_live_and_after_Dispose(DumpKind kind)
    {
        using TestHost host = TestHost.Start("primitive-curve-dump", Text(EdSeed), Text(XSeed), Text(ControlSeed));
        byte[] peer = Convert.FromHexString(host.WaitForLine("peer"));
        Assert.Equal("True", host.WaitForLine("signed"));
        Assert.Equal("True", host.WaitForLine("agreed"));
        Assert.Equal("160 True", host.WaitForLine("exported"));
        host.WaitForLine("READY");
        Dictionary<string, byte[]> secrets = Secrets(peer);
        Dictionary<string, byte[]> controls = Controls(peer);
        AssertAbsent(host, kind, "live", secrets, controls);

        host.Process.StandardInput.WriteLine("dispose");
        host.WaitForLine("DISPOSED");
        AssertAbsent(host, kind, "disposed", secrets, controls);
    }

    private void AssertAbsent(TestHost host, DumpKind kind, string phase, Dictionary<string, byte[]> secrets, Dictionary<string, byte[]> controls)
    {
        string dump = DumpHarness.Dump(host.Process.Id, kind, directory);
        int[] counts = CountAll(dump, [.. secrets.Values, .. controls.Values]);
        File.Delete(dump);
        string[] names = [.. secrets.Keys, .. controls.Keys.Select(k => "control " + k)];
        string report = string.Join(", ", names.Zip(counts, (name, count) => $"{name} {count}"));
        TestContext.Current.SendDiagnosticMessage($"{kind} {phase}: {report}");
        Assert.True(counts[secrets.Count..].All(c => c >= 1), $"{kind} {phase}: a control value is missing, so the dump proves nothing: {report}");
        Assert.True(counts[..secrets.Count].All(c => c == 0), $"{kind} {phase}: secret material found: {report}");
    }

    private static Dictionary<string, byte[]> Secrets(byte[] peer)
    {
        byte[] seed = Pattern32(EdSeed);
        byte[] hash = SHA512.HashData(seed);
        using var key = SecureEd25519.FromSeed(seed);
        byte[] xKey = Pattern32(XSeed);
        return new(StringComparer.Ordinal)
        {
            ["Ed25519 seed"] = seed,
            ["Ed25519 64-byte secret key"] = [.. seed, .. key.PublicKey],
            ["Ed25519 expanded scalar"] = Clamp(hash[..32]),
            ["Ed25519 scalar before clamping"] = hash[..32],
            ["Ed25519 nonce prefix"] = hash[32..],
            ["X25519 private key"] = xKey,
            ["X25519 clamped private key"] = Clamp(xKey),
            ["X25519 shared secret"] = SharedSecret(xKey, peer),
        };
    }

    private static Dictionary<string, byte[]> Controls(byte[] peer)
    {
        byte[] pattern = Pattern32(ControlSeed);
        return new(StringComparer.Ordinal)
        {
            ["seed"] = pattern,
            ["expanded scalar"] = Clamp(SHA512.HashData(pattern)[..32]),
            ["shared secret"] = SharedSecret(pattern, peer),
        };
    }

    /// <summary>The shared secret computed by NSec, so that the search does not depend on the code under test.</summary>
    private static byte[] SharedSecret(byte[] privateKey, byte[] peer)
    {
        using var key = Key.Import(KeyAgreementAlgorithm.X25519, privateKey, KeyBlobFormat.RawPrivateKey);
        var peerKey = PublicKey.Import(KeyAgreementAlgorithm.X25519, peer, KeyBlobFormat.RawPublicKey);
        using SharedSecret shared = KeyAgreementAlgorithm.X25519.Agree(key, peerKey, new SharedSecretCreationParameters { ExportPolicy = KeyExportPolicies.AllowPlaintextExport })!;
        return shared.Export(SharedSecretBlobFormat.RawSharedSecret);
    }

    private static byte[] Clamp(byte[] scalar)
    {
        byte[] clamped = (byte[])scalar.Clone();
        clamped[0] &= 248;
        clamped[31] &= 127;
        clamped[31] |= 64;
        return clamped;
    }

    private static byte[] Pattern32(int seed)
    {
        byte[] bytes = new byte[32];
        Pattern.Fill(bytes, seed);
        return bytes;
    }

    private static string Text(int value) => value.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Counts every pattern in one pass over the file; patterns are all 32 or 64 bytes.</summary>
    private static int[] CountAll(string path, byte[][] patterns)
    {
        const int ChunkSize = 16 * 1024 * 1024;
        int overlap = patterns.Max(p => p.Length) - 1;
        byte[] chunk = new byte[ChunkSize + overlap];
        int[] counts = new int[patterns.Length];
        using FileStream stream = File.OpenRead(path);
        int carried = 0;
        long offset = 0;
        var seen = new HashSet<(int, long)>();
        while (true)
        {
            int read = stream.ReadAtLeast(chunk.AsSpan(carried, ChunkSize), ChunkSize, throwOnEndOfStream: false);
            int filled = carried + read;
            long chunkStart = offset - carried;
            for (int p = 0; p < patterns.Length; p++)
            {
                ReadOnlySpan<byte> data = chunk.AsSpan(0, filled);
                int consumed = 0;
                int index;
                while ((index = data[consumed..].IndexOf(patterns[p])) >= 0)
                {
                    // The overlap is searched twice; count each file position once.
                    if (seen.Add((p, chunkStart + consumed + index)))
                    {
                        counts[p]++;
                    }

                    consumed += index + 1;
                }
            }

            if (read < ChunkSize)
            {
                return counts;
            }

            offset += read;
            carried = overlap;
            chunk.AsSpan(filled - carried, carried).CopyTo(chunk);
        }
    }
}
