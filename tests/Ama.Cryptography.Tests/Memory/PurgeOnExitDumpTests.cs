using System.Globalization;
using System.Runtime.InteropServices;
using Ama.Cryptography.Tests.Infrastructure;

namespace Ama.Cryptography.Tests.Memory;

/// <summary>
/// SecureMemory.PurgeOnExit with real signals and real dumps. A child (purge-hold in tests/Ama.TestHost) holds a
/// slab buffer and a guarded buffer with known patterns in locked pages, which createdump includes (gcore honours
/// MADV_DONTDUMP and would prove nothing). Killed by SIGTERM, SIGINT or SIGQUIT, it is dumped with createdump --full at
/// the last moment it reaches; dying of an
/// unhandled exception, the runtime writes a full crash dump. With the purge neither pattern may be in the dump;
/// the negative control (PurgeOnExit = false, the same child) must show both, or the scan proves nothing.
/// </summary>
public sealed class PurgeOnExitDumpTests : IDisposable
{
    private const int Seed = 5005;

    // A shell starts a background job (a CI script run with `&` or nohup) with SIGINT and SIGQUIT ignored, and
    // every process under it inherits that: the kernel then never delivers them. The child starts with the
    // default dispositions, so the test does not depend on how its host was started.
    private static readonly string[] DefaultSignals = ["/usr/bin/env", "--default-signal=INT,QUIT,TERM"];
    private readonly string directory = Directory.CreateTempSubdirectory("ama-purge-dumps-").FullName;

    [Theory]
    [InlineData(15, true)]
    [InlineData(2, true)]
    [InlineData(3, true)]
    [InlineData(15, false)]
    [InlineData(2, false)]
    [InlineData(3, false)]
    public void A_signal_leaves_no_secret_in_a_core_taken_at_the_last_moment(int signal, bool purge)
    {
        var info = TestHost.StartInfo("purge-hold", [Seed.ToString(CultureInfo.InvariantCulture), purge.ToString(), "signal"], DefaultSignals);
        info.Environment["AMA_MEMORY_SOURCE"] = "locked";
        using TestHost host = TestHost.Start(info);
        host.WaitForLine("READY");
        Assert.Equal(0, kill(host.Process.Id, signal));
        host.WaitForLine("EXITING");
        string dump = DumpHarness.Dump(host.Process.Id, DumpKind.CreatedumpFull, directory);
        host.Process.StandardInput.WriteLine();
        host.Process.StandardInput.Flush();
        Assert.True(host.Process.WaitForExit(TimeSpan.FromMinutes(1)), "the child did not exit after the dump");

        // Purged: an orderly exit with the shell's code for the signal; not purged: the runtime's default action.
        Assert.Equal(128 + signal, host.Process.ExitCode);
        AssertSecrets(dump, purge);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void An_unhandled_exception_leaves_no_secret_in_the_crash_dump(bool purge)
    {
        _ = DumpHarness.CreatedumpPath;
        var info = TestHost.StartInfo("purge-hold", [Seed.ToString(CultureInfo.InvariantCulture), purge.ToString(), "throw"]);
        info.Environment["AMA_MEMORY_SOURCE"] = "locked";
        info.Environment["DOTNET_DbgEnableMiniDump"] = "1";
        info.Environment["DOTNET_DbgMiniDumpType"] = "4";
        info.Environment["DOTNET_DbgMiniDumpName"] = Path.Combine(directory, "crash-%p.dmp");
        (int exit, string stdout, string stderr) = TestHost.Run(info);
        Assert.Contains("THROWING", stdout, StringComparison.Ordinal);
        Assert.True(exit == 128 + 6, $"exit {exit}: {stdout} {stderr}");
        AssertSecrets(Assert.Single(Directory.GetFiles(directory, "crash-*.dmp")), purge);
    }

    public void Dispose() => Directory.Delete(directory, recursive: true);

    private static void AssertSecrets(string dump, bool purged)
    {
        int slab = DumpHarness.CountOccurrences(dump, PatternFor(Seed));
        int guarded = DumpHarness.CountOccurrences(dump, PatternFor(Seed + 1));
        if (purged)
        {
            Assert.True(slab == 0 && guarded == 0, $"after the purge the dump holds the slab secret {slab} times and the guarded one {guarded} times");
        }
        else
        {
            Assert.True(slab >= 1 && guarded >= 1, $"without the purge the dump must hold both secrets (slab {slab}, guarded {guarded}): the scan proves nothing");
        }
    }

    private static byte[] PatternFor(int seed)
    {
        byte[] bytes = new byte[Pattern.Length];
        Pattern.Fill(bytes, seed);
        return bytes;
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int signal);
}
