namespace Ama.Cryptography.Tests.Memory;

/// <summary>Options reject enum values outside their members at once, before any memory is chosen.</summary>
public sealed class SecureBufferOptionsTests
{
    [Theory]
    [InlineData(-1)]
    [InlineData(4)]
    [InlineData(99)]
    public void An_undefined_source_is_rejected_naming_the_property(int value)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new SecureBufferOptions { Source = (SecureMemorySource)value });
        Assert.Equal("value", e.ParamName);
        Assert.Equal((SecureMemorySource)value, e.ActualValue);
        Assert.Contains("SecureBufferOptions.Source", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(3)]
    [InlineData(99)]
    public void An_undefined_lock_policy_is_rejected_naming_the_property(int value)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new SecureBufferOptions { LockPolicy = (MemoryLockPolicy)value });
        Assert.Equal("value", e.ParamName);
        Assert.Contains("SecureBufferOptions.LockPolicy", e.Message, StringComparison.Ordinal);
    }

    /// <summary>The control: every defined value, and no source at all, is accepted and kept.</summary>
    [Fact]
    public void Every_defined_value_and_a_null_source_are_accepted()
    {
        foreach (SecureMemorySource source in Enum.GetValues<SecureMemorySource>())
        {
            Assert.Equal(source, new SecureBufferOptions { Source = source }.Source);
        }

        foreach (MemoryLockPolicy policy in Enum.GetValues<MemoryLockPolicy>())
        {
            Assert.Equal(policy, new SecureBufferOptions { LockPolicy = policy }.LockPolicy);
        }

        Assert.Null(new SecureBufferOptions { Source = null }.Source);
        Assert.Equal(MemoryLockPolicy.BestEffort, new SecureBufferOptions().LockPolicy);
    }
}
