using System.Globalization;
using Ama.Cryptography.Tests.Infrastructure;

namespace Ama.Cryptography.Tests.Memory;

/// <summary>
/// A broken canary ends the process with FailFast; the crash dump the runtime then writes
/// (full, on the locked-pages source, which createdump does dump) must not hold the damaged
/// buffer's secret. With SecureMemory.PurgeOnExit (the default) it must not hold any other live
/// secret either: an intact buffer in another slab is purged before FailFast. The negative control,
/// PurgeOnExit = false, shows that intact buffer in the dump, so the scan can find it.
/// </summary>
public sealed class CanaryWipeDumpTests : IDisposable
{
    private const int SigAbrtExit = 128 + 6;
    private const int SecretSeed = 3003;
    private const int ControlSeed = 4004;
    private readonly string directory = Directory.CreateTempSubdirectory("ama-failfast-dumps-").FullName;

    [Theory]
    [InlineData("slab", "underflow")]
    [InlineData("slab", "overflow")]
    [InlineData("guarded", "underflow")]
    public void The_crash_dump_after_a_broken_canary_holds_no_trace_of_the_secret(string kind, string damage)
    {
        string dump = CrashAndFindDump(kind, damage, purgeOnExit: false);
        Assert.True(DumpHarness.CountOccurrences(dump, PatternFor(ControlSeed)) >= 1, "the intact locked buffer is missing: the dump scan proves nothing");
        Assert.Equal(0, DumpHarness.CountOccurrences(dump, PatternFor(SecretSeed)));
    }

    [Theory]
    [InlineData("slab", "underflow")]
    [InlineData("guarded", "underflow")]
    public void The_crash_dump_after_a_broken_canary_holds_no_other_live_secret(string kind, string damage)
    {
        string dump = CrashAndFindDump(kind, damage, purgeOnExit: true);
        Assert.Equal(0, DumpHarness.CountOccurrences(dump, PatternFor(ControlSeed)));
        Assert.Equal(0, DumpHarness.CountOccurrences(dump, PatternFor(SecretSeed)));
    }

    public void Dispose() => Directory.Delete(directory, recursive: true);

    private string CrashAndFindDump(string kind, string damage, bool purgeOnExit)
    {
        _ = DumpHarness.CreatedumpPath;
        string[] args = [SecretSeed.ToString(CultureInfo.InvariantCulture), ControlSeed.ToString(CultureInfo.InvariantCulture), kind, damage, purgeOnExit.ToString()];
        var info = TestHost.StartInfo("slab-broken-canary-dump", args);
        info.Environment["AMA_MEMORY_SOURCE"] = "locked";
        info.Environment["DOTNET_DbgEnableMiniDump"] = "1";
        info.Environment["DOTNET_DbgMiniDumpType"] = "4";
        info.Environment["DOTNET_DbgMiniDumpName"] = Path.Combine(directory, "crash-%p.dmp");

        (int exit, string stdout, string stderr) = TestHost.Run(info);
        Assert.Contains("locked-pages", stdout, StringComparison.Ordinal);
        Assert.Contains("canary", stderr, StringComparison.Ordinal);
        Assert.Equal(SigAbrtExit, exit);
        return Assert.Single(Directory.GetFiles(directory, "crash-*.dmp"));
    }

    private static byte[] PatternFor(int seed)
    {
        byte[] bytes = new byte[Pattern.Length];
        Pattern.Fill(bytes, seed);
        return bytes;
    }
}
