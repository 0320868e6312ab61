using System.Runtime.InteropServices;
using Ama.Cryptography.Tests.Infrastructure;

namespace Ama.Cryptography.Tests.Memory;

/// <summary>
/// A Generic Host stopped by SIGTERM (purge-host in tests/Ama.TestHost): its graceful shutdown still has its key, and
/// the purge comes after it, at ProcessExit. Both orders of registration: the library's hooks installed before the
/// host starts (its ConsoleLifetime handler runs first and cancels the signal) and after it (the library's handler
/// runs first and must leave the signal to the host).
/// </summary>
public sealed class PurgeHostShutdownTests
{
    private const int SigTerm = 15;

    [Theory]
    [InlineData("before")]
    [InlineData("after")]
    public async Task A_hosted_app_stops_gracefully_with_its_keys_and_is_purged_afterwards(string firstAllocation)
    {
        using TestHost host = TestHost.Start(TestHost.StartInfo("purge-host", [firstAllocation]));
        host.WaitForLine("READY");
        Assert.Equal(0, kill(host.Process.Id, SigTerm));
        string rest = await host.Process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        Assert.True(host.Process.WaitForExit(TimeSpan.FromMinutes(1)), "the host did not stop");
        string[] lines = rest.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.Equal(["STOP-ENCRYPTED", "MAIN-RETURNS", "AFTER-PURGED"], lines);
        Assert.Equal(0, host.Process.ExitCode);
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int signal);
}
