using Ama.Cryptography.Tests.Infrastructure;

namespace Ama.Cryptography.Tests.Memory;

/// <summary>
/// SecureMemory.PurgeAll, each check in a child process (purge-check in tests/Ama.TestHost): a purge wipes every
/// secure allocation of its process, and the test runner's other tests hold secure memory of their own.
/// </summary>
public sealed class PurgeAllTests
{
    [Theory]
    [InlineData("buffers")] // slab, guarded, no-access and read-only buffers: zeroed, counted, disposed
    [InlineData("aead")] // SecureAesGcm, the ChaCha20 and the AEGIS ciphers throw ObjectDisposedException, never encrypt under a zeroed key
    [InlineData("keys")] // SecureHmac, SecureEd25519, SecureX25519, and SecureHkdf given a purged buffer
    [InlineData("enclave")] // sealed before: ObjectDisposedException; sealed after: round-trips under a new key
    [InlineData("stale-span")] // a span kept across the purge never writes into a buffer allocated after it
    [InlineData("concurrent")] // encryption on other threads during the purge: success or ObjectDisposedException, no crash
    public void PurgeAll_wipes_and_disposes(string check)
    {
        var (exit, stdout, stderr) = TestHost.Run(TestHost.StartInfo("purge-check", [check]));
        Assert.True(exit == 0 && stdout.Contains("PASS", StringComparison.Ordinal), $"exit {exit}: {stdout} {stderr}");
    }
}
