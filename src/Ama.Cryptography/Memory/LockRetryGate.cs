namespace Ama.Cryptography.Memory;

/// <summary>
/// Remembers that a locking source just ran out of locked memory, so that BestEffort
/// allocations go straight to the unlocked fallback instead of failing (and throwing
/// internally) on every call, and lets one allocation in a while try the locked source again.
/// </summary>
/// <remarks>
/// Without it each degraded allocation cost a failed mmap and an exception: 12.6 µs against
/// 1.6 µs locked. A retry happens after <see cref="RetryEvery"/> skipped allocations, or after
/// <see cref="RetryAfterRelease"/> once buffers of the source were freed (their room may be
/// reusable); a success clears the gate. Races only move a retry a little earlier or later.
/// </remarks>
internal sealed class LockRetryGate
{
    internal const int RetryEvery = 1024;
    internal const int RetryAfterRelease = 64;

    private int skipsLeft;

    /// <summary>Gets whether this allocation should skip the locked source and go to the fallback.</summary>
    internal bool ShouldSkip() => Volatile.Read(ref skipsLeft) > 0 && Interlocked.Decrement(ref skipsLeft) >= 0;

    internal void RecordFailure() => Volatile.Write(ref skipsLeft, RetryEvery);

    internal void RecordSuccess()
    {
        if (Volatile.Read(ref skipsLeft) != 0)
        {
            Volatile.Write(ref skipsLeft, 0);
        }
    }

    /// <summary>Called when a buffer of the source is freed: its room may let the locked source succeed again.</summary>
    internal void NoteRelease()
    {
        if (Volatile.Read(ref skipsLeft) > RetryAfterRelease)
        {
            Volatile.Write(ref skipsLeft, RetryAfterRelease);
        }
    }
}
