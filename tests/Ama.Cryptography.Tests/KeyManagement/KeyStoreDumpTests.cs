using Ama.Cryptography.KeyManagement;
using Ama.Cryptography.Tests.Infrastructure;

namespace Ama.Cryptography.Tests.KeyManagement;

/// <summary>
/// After Retrieve and Dispose, key material is not in a full dump of the process; while a storage is open,
/// neither its data key nor its entry key (whose AES key schedule starts with the key bytes) is.
/// </summary>
public sealed class KeyStoreDumpTests : IDisposable
{
    private const int KeySeed = 4242;
    private const int ProbeSeed = 5353;
    private const int ControlSeed = 6464;
    private readonly string directory = Directory.CreateTempSubdirectory("ama-ks-dumps-").FullName;

    public void Dispose() => Directory.Delete(directory, recursive: true);

    [Fact]
    public void Key_material_is_absent_from_a_full_dump_after_Retrieve_and_Dispose()
    {
        _ = DumpHarness.CreatedumpPath;
        using TestHost host = TestHost.Start("keystore-dump", KeySeed.ToString(System.Globalization.CultureInfo.InvariantCulture), ProbeSeed.ToString(System.Globalization.CultureInfo.InvariantCulture), ControlSeed.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal("True", host.WaitForLine("retrieved"));
        host.WaitForLine("ready");
        string dump = DumpHarness.Dump(host.Process.Id, DumpKind.CreatedumpFull, directory);
        int keys = DumpHarness.CountOccurrences(dump, Pattern(KeySeed));
        int probes = DumpHarness.CountOccurrences(dump, Pattern(ProbeSeed));
        int controls = DumpHarness.CountOccurrences(dump, Pattern(ControlSeed));
        File.Delete(dump);
        TestContext.Current.SendDiagnosticMessage($"key store dump: key material {keys}, disposed AesGcm key {probes}, live control {controls}");
        Assert.True(controls >= 1, "the live control array is missing, so the dump proves nothing");
        Assert.True(keys == 0, $"the key material was found {keys} times");
    }

    [Fact]
    public void Data_key_and_entry_key_are_absent_from_a_full_dump_while_the_storage_is_open()
    {
        const int DataKeySeed = 7171;
        const int ValueSeed = 8282;
        _ = DumpHarness.CreatedumpPath;
        using TestHost host = TestHost.Start("keystore-dump-open", Seed(DataKeySeed), Seed(ValueSeed), Seed(ProbeSeed), Seed(ControlSeed));
        bool sodium = host.WaitForLine("sodium") == "True";
        Assert.Equal("True", host.WaitForLine("retrieved"));
        host.WaitForLine("ready");
        string dump = DumpHarness.Dump(host.Process.Id, DumpKind.CreatedumpFull, directory);
        byte[] dataKey = Pattern(DataKeySeed);
        byte[] entryKey = new byte[32];
        KeyDerivation.Expand(dataKey, KeyDerivation.EntryLabel, default, entryKey);
        int dataKeys = DumpHarness.CountOccurrences(dump, dataKey);
        int entryKeys = DumpHarness.CountOccurrences(dump, entryKey);
        int values = DumpHarness.CountOccurrences(dump, Pattern(ValueSeed));
        int probes = DumpHarness.CountOccurrences(dump, Pattern(ProbeSeed));
        int controls = DumpHarness.CountOccurrences(dump, Pattern(ControlSeed));
        File.Delete(dump);
        TestContext.Current.SendDiagnosticMessage(
            $"open key store dump (libsodium path {sodium}): data key {dataKeys}, entry key {entryKeys}, value {values}, live AesGcm key {probes}, live control {controls}");
        Assert.True(controls >= 1, "the live control array is missing, so the dump proves nothing");
        Assert.True(probes >= 1, "the key of a live AesGcm is not in the dump, so searching for key bytes would not find a key schedule");
        Assert.True(dataKeys == 0, $"the data key was found {dataKeys} times");
        Assert.True(entryKeys == 0, $"the entry key (or its AES key schedule) was found {entryKeys} times");
        Assert.True(values == 0, $"the retrieved key material was found {values} times");
    }

    private static string Seed(int seed) => seed.ToString(System.Globalization.CultureInfo.InvariantCulture);

    private static byte[] Pattern(int seed)
    {
        byte[] bytes = new byte[32];
        for (int i = 0; i < bytes.Length; i++)
        {
            bytes[i] = unchecked((byte)(((seed + i) * 167) ^ (i * 29) ^ (seed >> 3)));
        }

        return bytes;
    }
}
