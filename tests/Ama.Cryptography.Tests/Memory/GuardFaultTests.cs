using Ama.Cryptography.Tests.Infrastructure;

namespace Ama.Cryptography.Tests.Memory;

/// <summary>Overflow hits the trailing guard page; underflow breaks the canary, which stops the process at Dispose.</summary>
public sealed class GuardFaultTests
{
    private const int SigSegvExit = 128 + 11;
    private const int SigAbrtExit = 128 + 6;

    [Fact]
    public void Native_write_one_byte_past_a_guarded_buffer_dies_with_SIGSEGV()
    {
        (int exit, string stdout, _) = TestHost.Run(TestHost.StartInfo("memory-overflow-native"));
        Assert.Contains("WRITING", stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("SURVIVED", stdout, StringComparison.Ordinal);
        Assert.Equal(SigSegvExit, exit);
    }

    [Fact]
    public void A_reused_guarded_mapping_keeps_its_trailing_guard()
    {
        (int exit, string stdout, _) = TestHost.Run(TestHost.StartInfo("memory-overflow-native", ["reuse"]));
        string first = stdout.Split('\n').Single(l => l.StartsWith("FIRST ", StringComparison.Ordinal))[6..];
        string second = stdout.Split('\n').Single(l => l.StartsWith("SECOND ", StringComparison.Ordinal))[7..];
        Assert.Equal(first, second);
        Assert.Equal(SigSegvExit, exit);
    }

    [Fact]
    public void Managed_write_one_byte_past_a_guarded_buffer_is_a_fatal_access_violation()
    {
        (int exit, string stdout, string stderr) = TestHost.Run(TestHost.StartInfo("memory-overflow"));
        Assert.DoesNotContain("SURVIVED", stdout, StringComparison.Ordinal);
        Assert.Contains("AccessViolationException", stderr, StringComparison.Ordinal);
        Assert.Equal(SigAbrtExit, exit);
    }

    [Fact]
    public void Write_before_a_buffer_is_caught_by_the_canary_at_dispose()
    {
        (int exit, string stdout, string stderr) = TestHost.Run(TestHost.StartInfo("memory-underflow"));
        Assert.Contains("DISPOSING", stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("SURVIVED", stdout, StringComparison.Ordinal);
        Assert.Contains("canary", stderr, StringComparison.Ordinal);
        Assert.Equal(SigAbrtExit, exit);
    }

    [Fact]
    public void Two_threads_allocating_a_million_buffers_each_see_no_corruption()
    {
        (int exit, string stdout, string stderr) = TestHost.Run(TestHost.StartInfo("memory-concurrency", ["1000000"]));
        Assert.True(exit == 0, $"exit {exit}: {stdout} {stderr}");
        Assert.Contains("CORRUPT 0", stdout, StringComparison.Ordinal);
    }
}
