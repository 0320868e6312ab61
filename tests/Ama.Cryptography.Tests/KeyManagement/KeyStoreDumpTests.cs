using Ama.Cryptography.Tests.Infrastructure;

namespace Ama.Cryptography.Tests.KeyManagement;

/// <summary>After Retrieve and Dispose, key material is not in a full dump of the process.</summary>
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
