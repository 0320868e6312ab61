using System.Diagnostics;
using System.Reflection;
using System.Runtime.InteropServices;
using Ama.Cryptography.Memory;

namespace Ama.Cryptography.Tests.Memory;

/// <summary>The seed's SecureBuffer contract and the C# API around it.</summary>
public sealed unsafe class SecureBufferTests
{
    [Fact]
    public void New_buffer_is_zeroed_and_has_the_requested_length()
    {
        using var buffer = new SecureBuffer(100);
        Assert.Equal(100, buffer.Length);
        Assert.False(buffer.Span.ContainsAnyExcept((byte)0));
    }

    [Fact]
    public void Slot_is_zeroed_after_dispose_read_through_a_raw_pointer()
    {
        var buffer = new SecureBuffer(48);
        buffer.Span.Fill(0xAB);
        byte* raw = (byte*)buffer.UnsafeAddress;
        buffer.Dispose();

        // A slab slot stays mapped after Dispose, so the old address can still be read.
        Assert.False(new ReadOnlySpan<byte>(raw, 48).ContainsAnyExcept((byte)0));
    }

    [Fact]
    public void Buffer_is_zeroed_when_an_exception_leaves_the_using_scope()
    {
        byte* raw = null;
        Assert.Throws<InvalidOperationException>((Action)(() =>
        {
            using var buffer = new SecureBuffer(32);
            buffer.Span.Fill(0xCD);
            raw = (byte*)buffer.UnsafeAddress;
            throw new InvalidOperationException("boom");
        }));
        Assert.False(new ReadOnlySpan<byte>(raw, 32).ContainsAnyExcept((byte)0));
    }

    /// <summary>Negative control for the two tests above: before Dispose the raw read does see the secret.</summary>
    [Fact]
    public void Raw_pointer_sees_the_secret_before_dispose()
    {
        using var buffer = new SecureBuffer(32);
        buffer.Span.Fill(0xEF);
        Assert.Equal(0xEF, ((byte*)buffer.UnsafeAddress)[31]);
    }

    [Fact]
    public void Guarded_buffer_is_zeroed_before_its_pages_are_unlocked_and_unmapped()
    {
        // Five pages: larger than any mapping the guarded-region cache keeps, so it is unmapped.
        var source = new RecordingSource();
        SecureMemoryHandle handle = SecureMemoryHandle.Guarded(source, 5 * Environment.SystemPageSize);
        handle.Span.Fill(0x77);
        handle.Dispose();
        Assert.Equal([true], source.ZeroAtUnmap);
    }

    [Fact]
    public void Released_small_guarded_mapping_is_reused_zeroed_and_larger_ones_are_unmapped()
    {
        var source = new RecordingSource();
        SecureMemoryHandle first = SecureMemoryHandle.Guarded(source, 200);
        nint address = first.Address;
        first.Span.Fill(0x42);
        first.Dispose();

        SecureMemoryHandle second = SecureMemoryHandle.Guarded(source, 100);
        Assert.Equal(address + 100, second.Address);
        Assert.False(second.Span.ContainsAnyExcept((byte)0));

        // The first tenant's canary and bytes in front of the new canary were wiped too.
        Assert.False(new ReadOnlySpan<byte>((void*)(address - Canary.Size), 100).ContainsAnyExcept((byte)0));
        Assert.Empty(source.ZeroAtUnmap);
        second.Dispose();
    }

    [Fact]
    public void Size_zero_is_allowed_and_negative_size_is_rejected()
    {
        using (var empty = new SecureBuffer(0))
        {
            Assert.Equal(0, empty.Length);
            Assert.True(empty.Span.IsEmpty);
        }

        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new SecureBuffer(-1));
        Assert.Equal("size", e.ParamName);
    }

    [Fact]
    public void Span_after_dispose_throws_and_dispose_twice_is_fine()
    {
        var buffer = new SecureBuffer(16);
        buffer.Dispose();
        buffer.Dispose();
        Assert.True(buffer.IsDisposed);
        Assert.Throws<ObjectDisposedException>(() => buffer.Span.Length);
    }

    [Fact]
    public void Large_buffers_are_guarded_by_default_and_small_ones_are_not()
    {
        using var small = new SecureBuffer(SecureBufferOptions.GuardedThreshold);
        using var large = new SecureBuffer(SecureBufferOptions.GuardedThreshold + 1);
        Assert.False(small.IsGuarded);
        Assert.True(large.IsGuarded);
        large.Span.Fill(3);
        Assert.Equal(3, large.Span[^1]);
    }

    [Fact]
    public void No_access_buffer_opens_for_a_scope_and_closes_again_even_on_exception()
    {
        using var buffer = new SecureBuffer(64, new SecureBufferOptions { Guarded = true });
        buffer.Span.Fill(9);
        buffer.MakeNoAccess();
        Assert.True(buffer.IsNoAccess);
        Assert.Throws<InvalidOperationException>(() => buffer.Span.Length);

        using (SecureBufferAccess access = buffer.Access())
        {
            Assert.Equal(9, access.Span[63]);
        }

        Assert.True(buffer.IsNoAccess);
        Assert.Throws<ArithmeticException>((Action)(() =>
        {
            using SecureBufferAccess access = buffer.Access();
            Assert.False(buffer.IsNoAccess);
            throw new ArithmeticException();
        }));
        Assert.True(buffer.IsNoAccess);
    }

    [Fact]
    public void ToString_and_debugger_show_metadata_never_bytes()
    {
        using var buffer = new SecureBuffer(32);
        buffer.Span.Fill((byte)'S');
        string text = buffer.ToString();
        Assert.Matches(@"^SecureBuffer\(32 bytes, (locked|not locked), [a-z-]+\)$", text);
        Assert.DoesNotContain("SSSS", text, StringComparison.Ordinal);

        var display = typeof(SecureBuffer).GetCustomAttribute<DebuggerDisplayAttribute>();
        Assert.Equal("{ToString(),nq}", display?.Value);
        Type proxy = Type.GetType(typeof(SecureBuffer).GetCustomAttribute<DebuggerTypeProxyAttribute>()!.ProxyTypeName)!;
        Assert.DoesNotContain(proxy.GetProperties(), p => p.PropertyType == typeof(byte[]) || p.PropertyType.Name.StartsWith("Span", StringComparison.Ordinal));
    }

    [Fact]
    public void RandomBytes_fills_secure_memory_with_random_data()
    {
        using SecureBuffer first = SecureMemory.RandomBytes(32);
        using SecureBuffer second = SecureMemory.RandomBytes(32);
        Assert.Equal(32, first.Length);
        Assert.False(first.Span.SequenceEqual(second.Span));
        Assert.True(first.Span.ContainsAnyExcept((byte)0));
        Assert.Equal(SecureMemory.GetStatus().MemorySource, first.Source);
    }

    [Fact]
    public void Required_policy_on_the_managed_source_is_refused()
    {
        var e = Assert.Throws<SecureMemoryException>(() =>
            new SecureBuffer(32, new SecureBufferOptions { Source = SecureMemorySource.Managed, LockPolicy = MemoryLockPolicy.Required }));
        Assert.Contains("Required", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(16)]
    [InlineData(17)]
    [InlineData(1000)]
    [InlineData(5000)]
    public void Every_source_round_trips_data(int size)
    {
        foreach (SecureMemorySource source in Enum.GetValues<SecureMemorySource>())
        {
            using var buffer = new SecureBuffer(size, new SecureBufferOptions { Source = source });
            buffer.Span.Fill(0x5A);
            Assert.Equal(source, buffer.Source);
            Assert.False(buffer.Span.ContainsAnyExcept((byte)0x5A));
        }
    }

    [Theory]
    [InlineData(SecureMemorySource.SecretMemory, false)]
    [InlineData(SecureMemorySource.SecretMemory, true)]
    [InlineData(SecureMemorySource.LockedPages, false)]
    [InlineData(SecureMemorySource.LockedPages, true)]
    public void IsLocked_is_false_once_the_buffer_is_disposed(SecureMemorySource source, bool guarded)
    {
        var buffer = new SecureBuffer(32, new SecureBufferOptions { Source = source, Guarded = guarded, LockPolicy = MemoryLockPolicy.Required });
        Assert.True(buffer.IsLocked);
        buffer.Dispose();
        Assert.False(buffer.IsLocked);
    }

    /// <summary>Anonymous unlocked pages that check, at unmap time, whether the region was already zeroed.</summary>
    private sealed class RecordingSource : PageSource
    {
        public List<bool> ZeroAtUnmap { get; } = [];

        internal override SecureMemorySource Kind => SecureMemorySource.LockedPages;

        internal override bool Locks => false;

        internal override string Name => "recording";

        internal override MappedRegion Map(nuint length, bool guarded) => AnonymousPageSource.Unlocked.Map(length, guarded);

        internal override void Unmap(MappedRegion region)
        {
            ZeroAtUnmap.Add(!new ReadOnlySpan<byte>((void*)region.Address, (int)region.Length).ContainsAnyExcept((byte)0));
            AnonymousPageSource.Unlocked.Unmap(region);
        }
    }
}
