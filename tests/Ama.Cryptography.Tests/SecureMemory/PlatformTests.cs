using Ama.Cryptography.Tests.Infrastructure;

namespace Ama.Cryptography.Tests.SecureMemoryFunctions;

/// <summary>
/// Off Linux the library degrades the way the README's Platforms section says, and never calls what exists
/// only on Linux. No Windows or macOS machine runs these tests, so a child process takes the macOS paths
/// on Linux (an internal switch), where every Linux-only C library call throws; the whole public surface
/// must still work, and the status and self-test must report no Linux feature.
/// </summary>
public sealed class PlatformTests
{
    [Fact]
    public void Off_Linux_the_public_surface_works_and_reports_no_Linux_feature()
    {
        string directory = Directory.CreateTempSubdirectory("ama-platform-").FullName;
        try
        {
            (int exit, string stdout, string stderr) = TestHost.Run(TestHost.StartInfo("platform-macos", [directory]));
            Assert.True(exit == 0, $"exit {exit}: {stdout} {stderr}");
            string[] lines = stdout.Split('\n', StringSplitOptions.TrimEntries);

            // The status tells the truth: no secret memory, no scrubbing, no CAP_IPC_LOCK; locking is the OS's mlock.
            Assert.Contains("STATUS source=LockedPages secret=False locking=True ipclock=False scrubbing=False", lines);
            Assert.Contains("SECRET-PROBLEM memfd_secret exists only on Linux.", lines);
            Assert.Contains(lines, l => l.StartsWith("SECRET-BUFFER refused:", StringComparison.Ordinal));

            // The self-test judges from the allocator (no /proc/self/smaps) and does not claim don't-dump pages.
            Assert.Contains(lines, l => l.StartsWith("CHECK memory-lock Pass: ", StringComparison.Ordinal) && l.Contains("no /proc/self/smaps", StringComparison.Ordinal));
            Assert.Contains(lines, l => l.StartsWith("CHECK secret-memory Fail: ", StringComparison.Ordinal) && l.Contains("neither secret memory nor marked don't-dump", StringComparison.Ordinal));
            Assert.Contains(lines, l => l.StartsWith("CHECK key-use-scrubbing Warn: ", StringComparison.Ordinal));

            // Every buffer kind and every primitive that exists off Linux works; the SHA-based ones refuse cleanly.
            Assert.Equal(4, lines.Count(l => l.StartsWith("BUFFER ", StringComparison.Ordinal) && l.EndsWith("ok=True", StringComparison.Ordinal)));
            foreach (string step in new[] { "AESGCM", "CHACHA", "XCHACHA", "ED25519", "X25519", "KEYSTORE-MEMORY", "KEYSTORE-FILE" })
            {
                Assert.Contains($"{step} ok=True", lines);
            }

            Assert.Contains("HMAC supported=False", lines);
            Assert.Contains(lines, l => l.StartsWith("HMAC refused:", StringComparison.Ordinal));
            Assert.Contains(lines, l => l.StartsWith("HKDF refused:", StringComparison.Ordinal));

            // The control: in this process a Linux-only call is refused, so the steps above reached none.
            Assert.Contains(lines, l => l.StartsWith("GUARD refused: madvise exists only on Linux", StringComparison.Ordinal));
            Assert.Contains("DONE", lines);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
