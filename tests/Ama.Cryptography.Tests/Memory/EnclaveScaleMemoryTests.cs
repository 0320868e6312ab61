using System.Globalization;
using Ama.Cryptography.Tests.Infrastructure;

namespace Ama.Cryptography.Tests.Memory;

/// <summary>
/// 1,000,000 live 32-byte SecureEnclaves, sealed in a child process (enclave-growth in tests/Ama.TestHost, a
/// default console app: workstation GC, no GC settings): the whole process's resident set, runtime included,
/// stays within 150 MB and at most 64 KiB is locked, under a 64 KiB RLIMIT_MEMLOCK
/// without CAP_IPC_LOCK and under the usual 8 MiB one alike. The enclaves' ciphertext is ordinary memory; only the
/// one enclave key's page is locked.
/// </summary>
public sealed class EnclaveScaleMemoryTests
{
    private const int Count = 1_000_000;

    [Theory]
    [InlineData(64L * 1024)]
    [InlineData(8L * 1024 * 1024)]
    public void A_million_enclaves_keep_the_process_within_150_MB_of_RSS_and_lock_at_most_64_KiB(long memlockBytes)
    {
        IEnumerable<string> wrapper =
        [
            Tools.Require("prlimit"), $"--memlock={memlockBytes}:{memlockBytes}",
            Tools.Require("setpriv"), "--inh-caps=-ipc_lock", "--bounding-set=-ipc_lock", "--",
        ];
        var (exit, stdout, stderr) = TestHost.Run(TestHost.StartInfo("enclave-growth", [Count.ToString(CultureInfo.InvariantCulture)], wrapper), TimeSpan.FromMinutes(5));
        Assert.True(exit == 0, $"exit {exit}: {stdout} {stderr}");

        // "rss-before KIB rss-after KIB lck-after KIB"
        string[] words = stdout.Trim().Split(' ');
        Assert.Equal(["rss-before", "rss-after", "lck-after"], [words[0], words[2], words[4]]);
        long total = 1024 * long.Parse(words[3], CultureInfo.InvariantCulture);
        long growth = total - (1024 * long.Parse(words[1], CultureInfo.InvariantCulture));
        long locked = 1024 * long.Parse(words[5], CultureInfo.InvariantCulture);
        TestContext.Current.SendDiagnosticMessage($"memlock {memlockBytes}: {stdout.Trim()}; total {total:N0} bytes, growth {growth:N0} bytes, locked {locked:N0} bytes");

        Assert.True(total <= 150_000_000, $"the process's RSS is {total:N0} bytes with {Count:N0} enclaves");
        Assert.True(growth <= 150_000_000, $"RSS grew by {growth:N0} bytes for {Count:N0} enclaves");
        Assert.True(locked <= 64 * 1024, $"{locked:N0} bytes are locked");

        // Control: the enclaves are in the measurement at all (at least their 48 bytes of ciphertext and tag).
        Assert.True(growth >= Count * 48L, $"RSS grew by only {growth:N0} bytes, so the enclaves were not measured");
    }
}
