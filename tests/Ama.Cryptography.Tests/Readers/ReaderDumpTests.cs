using System.Text;
using Ama.Cryptography.Tests.Infrastructure;

namespace Ama.Cryptography.Tests.Readers;

/// <summary>
/// A process that read its keys with ReadFile, ReadFile + FromBase64, ReadFile + FromHex and ReadFrom
/// holds them only in secure memory: no dump of it finds a key, nor the base64 or hex text it was
/// decoded from. The negative control, a key read with File.ReadAllBytes in the same process, is found.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class ReaderDumpTests : IDisposable
{
    private const int RawSeed = 5151;
    private const int Base64Seed = 5252;
    private const int HexSeed = 5353;
    private const int StreamSeed = 5454;
    private const int ControlSeed = 5555;
    private readonly ReaderFiles files = new();

    public void Dispose() => files.Dispose();

    [Theory]
    [InlineData(DumpKind.CreatedumpFull)]
    [InlineData(DumpKind.Gcore)]
    public void Keys_read_by_the_readers_are_in_no_dump(DumpKind kind)
    {
        _ = kind == DumpKind.Gcore ? Tools.Require("gcore") : DumpHarness.CreatedumpPath;
        files.File("raw.key", Key(RawSeed));
        files.File("b64.key", Base64Text());
        files.File("hex.key", HexText());
        files.File("stream.key", Key(StreamSeed));
        files.File("control.key", Key(ControlSeed));

        using TestHost host = TestHost.Start("readers-hold", files.Path);
        Assert.Equal("64 64 64 64", host.WaitForLine("live"));
        string dump = DumpHarness.Dump(host.Process.Id, kind, files.Path);
        int control = DumpHarness.CountOccurrences(dump, Key(ControlSeed));
        Dictionary<string, int> found = Secrets().ToDictionary(s => s.Name, s => DumpHarness.CountOccurrences(dump, s.Bytes));
        File.Delete(dump);
        host.Process.StandardInput.WriteLine("exit");

        string counts = $"{kind}: {string.Join(", ", found.Select(f => $"{f.Key} {f.Value}"))}; File.ReadAllBytes control {control}";
        TestContext.Current.SendDiagnosticMessage(counts);
        Assert.True(control >= 1, $"{counts}: the control key is not in the dump, so the dump proves nothing");
        Assert.All(found, f => Assert.True(f.Value == 0, $"{counts}: {f.Key} was found {f.Value} times"));
    }

    private static IEnumerable<(string Name, byte[] Bytes)> Secrets()
    {
        yield return ("ReadFile key", Key(RawSeed));
        yield return ("FromBase64 key", Key(Base64Seed));
        yield return ("base64 text", Base64Text());
        yield return ("FromHex key", Key(HexSeed));
        yield return ("hex text", HexText());
        yield return ("ReadFrom key", Key(StreamSeed));
    }

    private static byte[] Base64Text() => Encoding.ASCII.GetBytes(Convert.ToBase64String(Key(Base64Seed)));

    private static byte[] HexText() => Encoding.ASCII.GetBytes(Convert.ToHexStringLower(Key(HexSeed)));

    private static byte[] Key(int seed)
    {
        byte[] bytes = new byte[Pattern.Length];
        Pattern.Fill(bytes, seed);
        return bytes;
    }
}
