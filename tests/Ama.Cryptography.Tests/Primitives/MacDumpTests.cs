using System.Buffers.Binary;
using System.Globalization;
using System.Security.Cryptography;
using Ama.Cryptography.Tests.Infrastructure;

namespace Ama.Cryptography.Tests.Primitives;

/// <summary>
/// The HMAC key, its inner and outer midstates, and the HKDF IKM, PRK and output are in no dump of a live
/// process that keyed SecureHmac and SecureHkdf from SecureBuffers, neither after use nor after Dispose.
/// The negative controls in the same process are found: an IncrementalHash HMAC leaves its midstates, an
/// HMACSHA256 its key (OpenSSL 3.0 here keeps no raw key in an IncrementalHash, but the midstates are as good).
/// </summary>
public sealed class MacDumpTests : IDisposable
{
    private const int KeySeed = 1212;
    private const int IkmSeed = 2323;
    private const int ControlSeed = 3434;
    private const int HmacControlSeed = 4545;
    private static readonly byte[] Salt = "mac-dump-salt"u8.ToArray();
    private static readonly byte[] Info = "mac-dump-info"u8.ToArray();
    private readonly string directory = Directory.CreateTempSubdirectory("ama-mac-dumps-").FullName;

    public void Dispose() => Directory.Delete(directory, recursive: true);

    [Theory]
    [InlineData(DumpKind.CreatedumpFull)]
    [InlineData(DumpKind.CreatedumpWithHeap)]
    [InlineData(DumpKind.Gcore)]
    public void Keys_midstates_PRK_and_output_are_absent_live_and_after_Dispose(DumpKind kind)
    {
        _ = kind == DumpKind.Gcore ? Tools.Require("gcore") : DumpHarness.CreatedumpPath;
        using TestHost host = TestHost.Start("primitive-mac-hold", Seed(KeySeed), Seed(IkmSeed), Seed(ControlSeed), Seed(HmacControlSeed));
        Assert.Equal("True", host.WaitForLine("verified"));
        host.WaitForLine("live");
        CheckDump(host, kind, "live");
        host.Process.StandardInput.WriteLine("dispose");
        host.WaitForLine("disposed");
        CheckDump(host, kind, "disposed");
    }

    [Fact]
    public void The_test_midstate_is_the_real_SHA_256_and_SHA_512_state()
    {
        // With key = padded("abc") XOR pad, the midstate is the whole hash of "abc", word by word in native order.
        Assert.Equal(WordsLittleEndian(SHA256.HashData("abc"u8), 4), ShaMidstate.Sha256(PaddedAbc(64, 0x36), 0x36));
        Assert.Equal(WordsLittleEndian(SHA512.HashData("abc"u8), 8), ShaMidstate.Sha512(PaddedAbc(128, 0x5C), 0x5C));
    }

    private void CheckDump(TestHost host, DumpKind kind, string phase)
    {
        string dump = DumpHarness.Dump(host.Process.Id, kind, directory);
        Dictionary<string, int> found = Secrets().ToDictionary(s => s.Name, s => DumpHarness.CountOccurrences(dump, s.Bytes));
        int hmacControlKey = DumpHarness.CountOccurrences(dump, PatternBytes(HmacControlSeed));
        int controlMidstates = DumpHarness.CountOccurrences(dump, ShaMidstate.Sha256(PatternBytes(ControlSeed), 0x36))
            + DumpHarness.CountOccurrences(dump, ShaMidstate.Sha256(PatternBytes(ControlSeed), 0x5C));
        File.Delete(dump);
        string counts = $"{kind} {phase}: {string.Join(", ", found.Select(f => $"{f.Key} {f.Value}"))}; "
            + $"IncrementalHash midstates {controlMidstates}, HMACSHA256 key {hmacControlKey}";
        TestContext.Current.SendDiagnosticMessage(counts);
        Assert.True(hmacControlKey >= 1, $"{counts}: the HMACSHA256 key is not in the dump, so the dump proves nothing");
        Assert.True(controlMidstates >= 1, $"{counts}: the IncrementalHash midstates are not in the dump, so the midstate search proves nothing");
        Assert.All(found, f => Assert.True(f.Value == 0, $"{counts}: {f.Key} was found {f.Value} times"));
    }

    private static IEnumerable<(string Name, byte[] Bytes)> Secrets()
    {
        byte[] key = PatternBytes(KeySeed);
        byte[] ikm = PatternBytes(IkmSeed);
        yield return ("HMAC key", key);
        yield return ("SHA-256 inner midstate", ShaMidstate.Sha256(key, 0x36));
        yield return ("SHA-256 outer midstate", ShaMidstate.Sha256(key, 0x5C));
        yield return ("SHA-512 inner midstate", ShaMidstate.Sha512(key, 0x36));
        yield return ("SHA-512 outer midstate", ShaMidstate.Sha512(key, 0x5C));
        yield return ("HKDF IKM", ikm);
        yield return ("HKDF-SHA-256 PRK", HKDF.Extract(HashAlgorithmName.SHA256, ikm, Salt));
        yield return ("HKDF-SHA-512 PRK", HKDF.Extract(HashAlgorithmName.SHA512, ikm, Salt));
        yield return ("HKDF-SHA-256 output", HKDF.DeriveKey(HashAlgorithmName.SHA256, ikm, 64, Salt, Info));
        yield return ("HKDF-SHA-512 output", HKDF.DeriveKey(HashAlgorithmName.SHA512, ikm, 64, Salt, Info));
    }

    private static byte[] PatternBytes(int seed)
    {
        byte[] bytes = new byte[32];
        Pattern.Fill(bytes, seed);
        return bytes;
    }

    private static byte[] PaddedAbc(int blockSize, byte pad)
    {
        byte[] block = new byte[blockSize];
        "abc"u8.CopyTo(block);
        block[3] = 0x80;
        block[^1] = 24;
        for (int i = 0; i < block.Length; i++)
        {
            block[i] ^= pad;
        }

        return block;
    }

    private static byte[] WordsLittleEndian(byte[] bigEndian, int wordSize)
    {
        byte[] swapped = (byte[])bigEndian.Clone();
        for (int i = 0; i < swapped.Length; i += wordSize)
        {
            swapped.AsSpan(i, wordSize).Reverse();
        }

        return swapped;
    }

    private static string Seed(int seed) => seed.ToString(CultureInfo.InvariantCulture);
}
