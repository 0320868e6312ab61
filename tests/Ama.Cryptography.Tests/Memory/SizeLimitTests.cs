using Ama.Cryptography.Interop;
using Ama.Cryptography.Memory;
using Ama.Cryptography.Tests.Infrastructure;

namespace Ama.Cryptography.Tests.Memory;

/// <summary>The largest buffer, and what releasing a huge secret-memory buffer costs.</summary>
public sealed unsafe class SizeLimitTests
{
    [Theory]
    [InlineData(int.MaxValue)]
    [InlineData(int.MaxValue - 7)]
    [InlineData(SecureBuffer.MaxLength + 1)]
    public void Sizes_above_MaxLength_throw_ArgumentOutOfRange_naming_the_maximum(int size)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new SecureBuffer(size));
        Assert.Equal("size", e.ParamName);
        Assert.Contains("2147352576", e.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => SecureMemory.RandomBytes(size));
    }

    /// <summary>
    /// An untouched MaxLength buffer of secret memory is allocated and disposed in a child
    /// process; before the release skipped untouched pages this took 26 s or more, because
    /// wiping faulted in every page.
    /// </summary>
    [Fact]
    public void MaxLength_secret_memory_buffer_allocates_and_disposes()
    {
        Tools.RequireThat(SecureAllocator.SecretMemoryUnavailableReason is null, "memfd_secret works on this host");
        SecureMemoryStatus status = SecureMemory.GetStatus();
        Tools.RequireThat(status.HasIpcLockCapability || status.MemoryLockLimitSoft is null, "2 GiB can be locked (CAP_IPC_LOCK or an unlimited RLIMIT_MEMLOCK)");
        (int exit, string stdout, string stderr) = TestHost.Run(
            TestHost.StartInfo("alloc-huge", [SecureBuffer.MaxLength.ToString(System.Globalization.CultureInfo.InvariantCulture), "SecretMemory", "false"]),
            TimeSpan.FromSeconds(20));
        Assert.True(exit == 0, $"exit {exit}: {stdout} {stderr}");
        Assert.Contains("SecureBuffer(2147352576 bytes, locked, secret-memory, guarded)", stdout, StringComparison.Ordinal);
        Assert.Contains("DISPOSE", stdout, StringComparison.Ordinal);
    }

    [Fact]
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public void Wiping_a_large_secret_region_zeroes_touched_pages_and_leaves_untouched_ones_unbacked()
    {
        Tools.RequireThat(SecureAllocator.SecretMemoryUnavailableReason is null, "memfd_secret works on this host");
        int pages = 256;
        MappedRegion region = SecretMemorySource.Instance.Map((nuint)pages * PageSource.PageSize, guarded: true);
        try
        {
            var bytes = new Span<byte>((void*)region.Address, (int)region.Length);
            int page = (int)PageSource.PageSize;
            bytes.Slice(2 * page, 100).Fill(0xA5);
            bytes.Slice((200 * page) - 50, 100).Fill(0x5A); // straddles pages 199 and 200

            SecretMemorySource.Instance.Wipe(region, bytes[10..]);

            Assert.Equal([2, 199, 200], ResidentPageNumbers(region));
            Assert.False(bytes.ContainsAnyExcept((byte)0));
        }
        finally
        {
            SecretMemorySource.Instance.Unmap(region);
        }
    }

    /// <summary>Negative control: a plain overwrite, as release did before, backs every page.</summary>
    [Fact]
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public void Control_a_plain_overwrite_backs_every_page()
    {
        Tools.RequireThat(SecureAllocator.SecretMemoryUnavailableReason is null, "memfd_secret works on this host");
        MappedRegion region = SecretMemorySource.Instance.Map(64 * PageSource.PageSize, guarded: true);
        try
        {
            Zeroing.Overwrite(new Span<byte>((void*)region.Address, (int)region.Length));
            Assert.Equal(64, ResidentPageNumbers(region).Count);
        }
        finally
        {
            SecretMemorySource.Instance.Unmap(region);
        }
    }

    private static List<int> ResidentPageNumbers(MappedRegion region)
    {
        byte[] residency = new byte[(int)(region.Length / PageSource.PageSize)];
        fixed (byte* vector = residency)
        {
            Assert.Equal(0, Libc.Mincore(region.Address, region.Length, vector));
        }

        return Enumerable.Range(0, residency.Length).Where(i => (residency[i] & 1) != 0).ToList();
    }
}
