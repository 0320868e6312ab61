using System.Globalization;
using Ama.Cryptography.Tests.Infrastructure;

namespace Ama.Cryptography.Tests.Memory;

/// <summary>
/// 10,000 live SecureEnclaves holding 32-byte patterned secrets (enclave-hold in tests/Ama.TestHost): none of
/// the secrets is in createdump --full or gcore of the process. The control, the same secrets held in byte
/// arrays by the same program, finds every one of them in the same kind of dump.
/// </summary>
public sealed class EnclaveDumpTests : IDisposable
{
    private const int Count = 10_000;
    private const int FirstSeed = 2_100_000;
    private readonly string directory = Directory.CreateTempSubdirectory("ama-enclave-dumps-").FullName;

    public static TheoryData<DumpKind> Kinds => new() { DumpKind.CreatedumpFull, DumpKind.Gcore };

    public void Dispose() => Directory.Delete(directory, recursive: true);

    [Theory]
    [MemberData(nameof(Kinds))]
    public void No_secret_of_10000_live_enclaves_is_in_the_dump(DumpKind kind) =>
        Assert.Equal(0, FoundSecrets("enclave", kind));

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Control_the_same_secrets_in_byte_arrays_are_all_in_the_dump(DumpKind kind) =>
        Assert.Equal(Count, FoundSecrets("bytes", kind));

    private int FoundSecrets(string mode, DumpKind kind)
    {
        _ = kind == DumpKind.Gcore ? Tools.Require("gcore") : DumpHarness.CreatedumpPath;
        string dump;
        using (TestHost host = TestHost.Start("enclave-hold", mode, Seed(FirstSeed), Seed(Count)))
        {
            host.WaitForLine("ready", TimeSpan.FromMinutes(2));
            dump = DumpHarness.Dump(host.Process.Id, kind, directory);
        }

        byte[][] secrets = [.. Enumerable.Range(FirstSeed, Count).Select(Secret)];
        List<long>[] found = MultiPatternSearch.FindAll(dump, secrets);
        File.Delete(dump);
        int present = found.Count(f => f.Count > 0);
        TestContext.Current.SendDiagnosticMessage($"{mode} {kind}: {present} of {Count} secrets found");
        return present;
    }

    private static byte[] Secret(int seed)
    {
        byte[] secret = new byte[32];
        Pattern.Fill(secret, seed);
        return secret;
    }

    private static string Seed(int value) => value.ToString(CultureInfo.InvariantCulture);
}
