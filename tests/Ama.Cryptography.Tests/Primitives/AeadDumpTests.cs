using System.Globalization;
using Ama.Cryptography.Tests.Infrastructure;

namespace Ama.Cryptography.Tests.Primitives;

/// <summary>
/// Keys of the secure AEADs, built from a SecureBuffer that is then disposed, the AES round keys and
/// GHASH key derived from the AES key, and the AEGIS initial state blocks derived from the AEGIS keys, are absent from createdump --full, createdump --withheap and gcore
/// of a live process: while the ciphers are alive after use, and after their Dispose. The negative
/// control, a BCL AesGcm built the same way in the same process, is found (its key and round keys).
/// </summary>
public sealed class AeadDumpTests : IDisposable
{
    private const int AesSeed = 1201;
    private const int ChaChaSeed = 1202;
    private const int XChaChaSeed = 1203;
    private const int ControlSeed = 1204;
    private const int Aegis256Seed = 1205;
    private const int Aegis128LSeed = 1206;
    private readonly string directory = Directory.CreateTempSubdirectory("ama-aead-dumps-").FullName;

    public static TheoryData<string, DumpKind> Cases => new()
    {
        { "live", DumpKind.CreatedumpFull },
        { "live", DumpKind.CreatedumpWithHeap },
        { "live", DumpKind.Gcore },
        { "disposed", DumpKind.CreatedumpFull },
        { "disposed", DumpKind.CreatedumpWithHeap },
        { "disposed", DumpKind.Gcore },
    };

    public void Dispose() => Directory.Delete(directory, recursive: true);

    [Fact]
    public void The_test_key_expansion_matches_FIPS_197_appendix_A3()
    {
        byte[] schedule = Aes256KeySchedule.Expand(Convert.FromHexString("603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4"));
        Assert.Equal("9ba354118e6925afa51a8b5f2067fcde", Convert.ToHexStringLower(schedule.AsSpan(32, 16)));
        Assert.Equal("706c631e", Convert.ToHexStringLower(schedule.AsSpan(236, 4)));
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Keys_and_AES_key_schedule_are_absent_from_the_dump(string phase, DumpKind kind)
    {
        _ = kind == DumpKind.Gcore ? Tools.Require("gcore") : DumpHarness.CreatedumpPath;
        using TestHost host = TestHost.Start("primitive-aead-hold", phase, Seed(AesSeed), Seed(ChaChaSeed), Seed(XChaChaSeed), Seed(ControlSeed), Seed(Aegis256Seed), Seed(Aegis128LSeed));
        Assert.Equal("True", host.WaitForLine("aes-supported"));
        host.WaitForLine("ready");
        string dump = DumpHarness.Dump(host.Process.Id, kind, directory);
        var counts = new Dictionary<string, int>
        {
            ["AES key"] = Count(dump, Key(AesSeed)),
            ["AES round keys 2-14"] = CountRoundKeys(dump, Key(AesSeed)),
            ["AES H"] = DumpHarness.CountOccurrences(dump, Aes256KeySchedule.HashKey(Key(AesSeed))),
            ["ChaCha20 key"] = Count(dump, Key(ChaChaSeed)),
            ["XChaCha20 key"] = Count(dump, Key(XChaChaSeed)),
            ["AEGIS-256 key"] = Count(dump, Key(Aegis256Seed)),
            ["AEGIS-256 state blocks"] = CountAegisBlocks(dump, Key(Aegis256Seed)),
            ["AEGIS-128L key"] = Count(dump, Key(Aegis128LSeed, 16)),
            ["AEGIS-128L state blocks"] = CountAegisBlocks(dump, Key(Aegis128LSeed, 16)),
        };
        int controlKeys = Count(dump, Key(ControlSeed));
        int controlRoundKeys = CountRoundKeys(dump, Key(ControlSeed));
        File.Delete(dump);
        TestContext.Current.SendDiagnosticMessage(
            $"{phase} {kind}: {string.Join(", ", counts.Select(c => $"{c.Key} {c.Value}"))}; control AesGcm key {controlKeys}, its round keys {controlRoundKeys}");

        Assert.True(controlKeys >= 1, "the key of the live BCL AesGcm is not in the dump, so the dump proves nothing");
        Assert.True(controlRoundKeys >= 13, $"only {controlRoundKeys} of the control's 13 derived round keys were found, so the round-key search proves nothing");
        Assert.All(counts, c => Assert.True(c.Value == 0, $"{c.Key} was found {c.Value} times"));
    }

    private static int Count(string dump, byte[] pattern) => DumpHarness.CountOccurrences(dump, pattern);

    // Round keys 0 and 1 are the key, searched for whole; 2 to 14 exist only where a schedule was expanded.
    private static int CountRoundKeys(string dump, byte[] key)
    {
        byte[] schedule = Aes256KeySchedule.Expand(key);
        int found = 0;
        for (int offset = 32; offset < schedule.Length; offset += 16)
        {
            found += Math.Min(1, DumpHarness.CountOccurrences(dump, schedule.AsSpan(offset, 16)));
        }

        return found;
    }

    // AEGIS Init with the zero nonce the host uses: key blocks k (k0 and k1 for AEGIS-256), k ^ C0 and k ^ C1.
    private static int CountAegisBlocks(string dump, byte[] key)
    {
        byte[] c0 = Convert.FromHexString("000101020305080d1522375990e97962");
        byte[] c1 = Convert.FromHexString("db3d18556dc22ff12011314273b528dd");
        int found = 0;
        for (int offset = 0; offset < key.Length; offset += 16)
        {
            byte[] block = key[offset..(offset + 16)];
            found += Count(dump, block);
            found += Count(dump, [.. block.Zip(c0, (k, c) => (byte)(k ^ c))]);
            found += Count(dump, [.. block.Zip(c1, (k, c) => (byte)(k ^ c))]);
        }

        return found;
    }

    private static byte[] Key(int seed, int size = 32)
    {
        byte[] key = new byte[size];
        Pattern.Fill(key, seed);
        return key;
    }

    private static string Seed(int seed) => seed.ToString(CultureInfo.InvariantCulture);
}
