using Ama.Cryptography.Tests.Infrastructure;

namespace Ama.Cryptography.Tests.Memory;

/// <summary>/proc/self/smaps shows what the kernel really did with each source's pages.</summary>
public sealed class SmapsTests
{
    [Fact]
    public void Secret_memory_buffer_lives_in_a_locked_secretmem_mapping()
    {
        using var buffer = new SecureBuffer(32, new SecureBufferOptions { Source = SecureMemorySource.SecretMemory });
        buffer.Span.Fill(1);
        SmapsEntry mapping = SmapsEntry.For(buffer.UnsafeAddress);
        Assert.StartsWith("/secretmem", mapping.Name, StringComparison.Ordinal);
        Assert.True(mapping.LockedKb > 0, "secret memory is not locked");
        Assert.True(buffer.IsLocked);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Locked_pages_are_locked_dontdump_and_wipeonfork(bool guarded)
    {
        using var buffer = new SecureBuffer(32, new SecureBufferOptions { Source = SecureMemorySource.LockedPages, Guarded = guarded });
        buffer.Span.Fill(1);
        SmapsEntry mapping = SmapsEntry.For(buffer.UnsafeAddress);
        Assert.True(mapping.LockedKb > 0, "the pages are not locked");
        Assert.Contains("lo", mapping.Flags);
        Assert.Contains("dd", mapping.Flags);
        Assert.Contains("wf", mapping.Flags);
        Assert.True(buffer.IsLocked);
    }

    /// <summary>Negative control: the same reading of a managed buffer shows none of the protections.</summary>
    [Fact]
    public void Managed_buffer_shows_no_protection()
    {
        using var buffer = new SecureBuffer(32, new SecureBufferOptions { Source = SecureMemorySource.Managed });
        SmapsEntry mapping = SmapsEntry.For(buffer.UnsafeAddress);
        Assert.DoesNotContain("dd", mapping.Flags);
        Assert.DoesNotContain("lo", mapping.Flags);
        Assert.False(buffer.IsLocked);
    }

    [Fact]
    public void Lock_policy_none_gives_unlocked_dontdump_pages()
    {
        using var buffer = new SecureBuffer(32, new SecureBufferOptions { Source = SecureMemorySource.LockedPages, LockPolicy = MemoryLockPolicy.None });
        SmapsEntry mapping = SmapsEntry.For(buffer.UnsafeAddress);
        Assert.DoesNotContain("lo", mapping.Flags);
        Assert.Contains("dd", mapping.Flags);
        Assert.False(buffer.IsLocked);
    }
}
