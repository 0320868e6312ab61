using System.Globalization;
using Ama.Cryptography.Memory;
using Ama.Cryptography.Tests.Infrastructure;

namespace Ama.Cryptography.Tests.Memory;

/// <summary>
/// When locked memory runs out under BestEffort: buffers come from unlocked pages, say so in
/// <see cref="SecureBuffer.Source"/>, and the failure is remembered instead of being hit again
/// (and thrown internally) on every allocation.
/// </summary>
public sealed class DegradedPathTests
{
    private static IEnumerable<string> Unprivileged(long memlockBytes) =>
    [
        Tools.Require("prlimit"), $"--memlock={memlockBytes}:{memlockBytes}",
        Tools.Require("setpriv"), "--inh-caps=-ipc_lock", "--bounding-set=-ipc_lock", "--",
    ];

    [Fact]
    public void Degraded_buffers_report_UnlockedPages_and_the_failure_is_not_retried_on_every_allocation()
    {
        const int Count = 20_000;
        (int exit, string stdout, string stderr) = TestHost.Run(TestHost.StartInfo("alloc-degraded", [Count.ToString(CultureInfo.InvariantCulture)], Unprivileged(65536)));
        Assert.True(exit == 0, $"exit {exit}: {stdout} {stderr}");
        Assert.Contains("LAST UnlockedPages locked=False", stdout, StringComparison.Ordinal);
        int degraded = Number(stdout, "DEGRADED ");
        Assert.True(degraded > Count / 2, stdout);

        // Before the gate, every degraded allocation failed on the locked source and threw (at least 1 per allocation).
        Assert.True(Number(stdout, "EXCEPTIONS ") < Count / 100, stdout);
    }

    [Fact]
    public void Unlocked_pages_are_reported_as_such()
    {
        using var none = new SecureBuffer(32, new SecureBufferOptions { Source = SecureMemorySource.LockedPages, LockPolicy = MemoryLockPolicy.None });
        Assert.Equal(SecureMemorySource.UnlockedPages, none.Source);
        Assert.False(none.IsLocked);

        using var asked = new SecureBuffer(2000, new SecureBufferOptions { Source = SecureMemorySource.UnlockedPages });
        Assert.Equal(SecureMemorySource.UnlockedPages, asked.Source);
        Assert.False(asked.IsLocked);

        Assert.Throws<SecureMemoryException>(() =>
            new SecureBuffer(32, new SecureBufferOptions { Source = SecureMemorySource.UnlockedPages, LockPolicy = MemoryLockPolicy.Required }));
    }

    [Fact]
    public void Gate_skips_after_a_failure_and_retries_sooner_after_a_release()
    {
        var gate = new LockRetryGate();
        Assert.False(gate.ShouldSkip());

        gate.RecordFailure();
        int skipped = 0;
        while (gate.ShouldSkip())
        {
            skipped++;
        }

        Assert.Equal(LockRetryGate.RetryEvery, skipped);

        gate.RecordFailure();
        gate.NoteRelease();
        skipped = 0;
        while (gate.ShouldSkip())
        {
            skipped++;
        }

        Assert.Equal(LockRetryGate.RetryAfterRelease, skipped);

        gate.RecordFailure();
        gate.RecordSuccess();
        Assert.False(gate.ShouldSkip());
    }

    private static int Number(string stdout, string prefix) => int.Parse(
        stdout.Split('\n').Single(l => l.StartsWith(prefix, StringComparison.Ordinal))[prefix.Length..].Trim(),
        CultureInfo.InvariantCulture);
}
