using System.Runtime.InteropServices;
using Ama.Cryptography.Memory;
using Ama.Cryptography.Tests.Infrastructure;

namespace Ama.Cryptography.Tests.SecureMemoryFunctions;

/// <summary>
/// Lock and Unlock, proved by the kernel's Locked field in /proc/self/smaps. Runs alone, so no
/// other test locks or unlocks pages in the same heap mappings meanwhile.
/// </summary>
[Collection(nameof(RunsAlone))]
public class LockTests
{
    private static readonly string[] NoIpcLock = ["setpriv", "--inh-caps=-ipc_lock", "--bounding-set=-ipc_lock"];

    [Fact]
    public void Lock_locks_every_page_of_the_array_and_Unlock_unlocks_them()
    {
        byte[] array = new byte[(5 * (int)Smaps.PageSize) + 123];

        SecureMemory.Lock(array);
        nint first = Smaps.AddressOf(array);
        nint last = first + array.Length - 1;
        Assert.True(Smaps.IsLocked(first), "first page not locked");
        Assert.True(Smaps.IsLocked(last), "last page not locked");
        Assert.True(Smaps.MappingOf(first).LockedKb * 1024 >= array.Length);

        SecureMemory.Unlock(array);
        Assert.True(Smaps.IsUnlocked(first), "first page still locked");
        Assert.True(Smaps.IsUnlocked(last), "last page still locked");
    }

    [Fact]
    public void A_page_shared_by_two_locked_arrays_stays_locked_until_both_are_unlocked()
    {
        (byte[] a, byte[] b) = TwoArraysOnOnePage();
        nint page = Smaps.PageOf(Smaps.AddressOf(a));

        SecureMemory.Lock(a);
        SecureMemory.Lock(b);
        SecureMemory.Unlock(a);
        Assert.True(Smaps.IsLocked(page), "unlocking one array unlocked a page the other still uses");

        SecureMemory.Unlock(b);
        Assert.True(Smaps.IsUnlocked(page), "the page stayed locked after the last array was unlocked");
        GC.KeepAlive(a);
    }

    [Fact]
    public void Control_the_same_page_is_seen_unlocked_when_only_one_array_was_locked()
    {
        // Shows that the smaps reading above can see this page go unlocked, so the shared-page
        // test would fail if Unlock released pages without counting.
        (byte[] a, byte[] b) = TwoArraysOnOnePage();
        nint page = Smaps.PageOf(Smaps.AddressOf(a));

        SecureMemory.Lock(a);
        Assert.True(Smaps.IsLocked(page));
        SecureMemory.Unlock(a);

        Assert.True(Smaps.IsUnlocked(page));
        GC.KeepAlive(b);
    }

    [Fact]
    public void Locks_nest_each_Lock_needs_one_Unlock()
    {
        byte[] array = new byte[3 * (int)Smaps.PageSize];
        SecureMemory.Lock(array);
        SecureMemory.Lock(array);
        nint address = Smaps.AddressOf(array);
        Assert.Equal(2, PageLockTable.LockCount(array));

        SecureMemory.Unlock(array);
        Assert.Equal(1, PageLockTable.LockCount(array));
        Assert.True(Smaps.IsLocked(address), "the first of two Unlocks unlocked the pages");
        Assert.Equal(address, Smaps.AddressOf(array));

        SecureMemory.Unlock(array);
        Assert.Equal(0, PageLockTable.LockCount(array));
        Assert.True(Smaps.IsUnlocked(address));

        Assert.Throws<InvalidOperationException>(() => SecureMemory.Unlock(array));
    }

    [Fact]
    public void Unlock_of_an_array_that_was_never_locked_throws_InvalidOperationException()
    {
        byte[] array = new byte[100];
        InvalidOperationException e = Assert.Throws<InvalidOperationException>(() => SecureMemory.Unlock(array));
        Assert.Contains("not locked", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Unlock_of_an_equal_but_different_array_throws()
    {
        // Arrays are told apart by identity, not content.
        byte[] locked = new byte[100];
        SecureMemory.Lock(locked);
        try
        {
            Assert.Throws<InvalidOperationException>(() => SecureMemory.Unlock(new byte[100]));
        }
        finally
        {
            SecureMemory.Unlock(locked);
        }
    }

    [Fact]
    public void Null_is_rejected_and_empty_arrays_are_a_no_op()
    {
        Assert.Equal("buffer", Assert.Throws<ArgumentNullException>(() => SecureMemory.Lock(null!)).ParamName);
        Assert.Equal("buffer", Assert.Throws<ArgumentNullException>(() => SecureMemory.Unlock(null!)).ParamName);

        byte[] empty = [];
        SecureMemory.Lock(empty);
        Assert.Equal(0, PageLockTable.LockCount(empty));
        SecureMemory.Unlock(empty);
    }

    [Fact]
    public void A_locked_array_is_pinned_and_does_not_move_in_a_compacting_collection()
    {
        (nint before, nint after) = AddressAcrossCompaction(lockIt: true);
        Assert.Equal(before, after);
    }

    [Fact]
    public void Control_the_same_array_unlocked_is_moved_by_the_same_collection()
    {
        // Shows the collection above would have moved an unpinned array.
        (nint before, nint after) = AddressAcrossCompaction(lockIt: false);
        Assert.NotEqual(before, after);
    }

    [Theory]
    [InlineData(0, 1)] // no RLIMIT_MEMLOCK budget at all: EPERM
    [InlineData(16384, 12)] // 1 MiB over a 16 KiB budget: ENOMEM
    public void A_real_mlock_failure_gives_SecureMemoryException_with_errno_text_and_hint(int memlock, int errno)
    {
        Tools.Require("setpriv");
        Tools.Require("prlimit");

        string[] output = RunLockArray(1024 * 1024, [.. NoIpcLock, "prlimit", $"--memlock={memlock}"]);

        Assert.Contains($"errno: {errno}", output);
        string message = Assert.Single(output, l => l.StartsWith("message: ", StringComparison.Ordinal));
        Assert.Contains($"errno {errno} ({Marshal.GetPInvokeErrorMessage(errno)})", message, StringComparison.Ordinal);
        Assert.Contains("RLIMIT_MEMLOCK", message, StringComparison.Ordinal);
        Assert.Contains("CAP_IPC_LOCK", message, StringComparison.Ordinal);
        Assert.Contains("registered-after-failure: False", output);
    }

    [Fact]
    public void Control_the_same_child_without_CAP_IPC_LOCK_locks_within_a_sufficient_limit()
    {
        Tools.Require("setpriv");
        Tools.Require("prlimit");

        string[] output = RunLockArray(1024 * 1024, [.. NoIpcLock, "prlimit", $"--memlock={4 * 1024 * 1024}"]);

        Assert.Contains("locked", output);
    }

    private static string[] RunLockArray(int size, string[] wrapper)
    {
        (int exitCode, string stdout, string stderr) = TestHost.Run(TestHost.StartInfo("lock-array", [size.ToString(System.Globalization.CultureInfo.InvariantCulture)], wrapper));
        Assert.True(exitCode == 0, $"exit {exitCode}: {stderr}");
        return stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
    }

    /// <summary>Allocates small pinned arrays until two lie wholly inside one page that no other array of the search shares.</summary>
    private static (byte[] A, byte[] B) TwoArraysOnOnePage()
    {
        var byPage = new Dictionary<nint, byte[]>();
        for (int i = 0; i < 10_000; i++)
        {
            byte[] candidate = GC.AllocateArray<byte>(64, pinned: true);
            nint start = Smaps.AddressOf(candidate);
            nint page = Smaps.PageOf(start);
            if (page != Smaps.PageOf(start + candidate.Length - 1))
            {
                continue;
            }

            if (byPage.TryGetValue(page, out byte[]? other))
            {
                return (other, candidate);
            }

            byPage[page] = candidate;
        }

        throw new InvalidOperationException("No two pinned arrays landed on one page.");
    }

    private static (nint Before, nint After) AddressAcrossCompaction(bool lockIt)
    {
        // Garbage in front of the array lets a compacting collection slide it down.
        _ = new byte[64 * 1024 / 2];
        for (int i = 0; i < 1000; i++)
        {
            _ = new byte[100];
        }

        byte[] array = new byte[200];
        if (lockIt)
        {
            SecureMemory.Lock(array);
        }

        try
        {
            nint before = Smaps.AddressOf(array);
            GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
            GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
            return (before, Smaps.AddressOf(array));
        }
        finally
        {
            if (lockIt)
            {
                SecureMemory.Unlock(array);
            }
        }
    }
}
