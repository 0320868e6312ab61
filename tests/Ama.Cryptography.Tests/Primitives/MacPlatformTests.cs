using Ama.Cryptography.Tests.Infrastructure;

namespace Ama.Cryptography.Tests.Primitives;

/// <summary>Without a usable libcrypto, SecureHmac says so and refuses to run; it never falls back.</summary>
public sealed class MacPlatformTests
{
    [Theory]
    [InlineData("/nonexistent/libcrypto.so.3", "could be loaded")]
    [InlineData("libc.so.6", "lacks a SHA export")]
    public void Without_libcrypto_IsSupported_is_false_and_the_constructor_throws_PlatformNotSupportedException(string library, string reason)
    {
        var info = TestHost.StartInfo("primitive-mac-supported");
        info.Environment["AMA_LIBCRYPTO"] = library;
        (int exitCode, string stdout, string stderr) = TestHost.Run(info);
        Assert.True(exitCode == 0, stderr);
        Assert.Contains("supported False", stdout, StringComparison.Ordinal);
        Assert.Contains("threw PlatformNotSupportedException", stdout, StringComparison.Ordinal);
        Assert.Contains(reason, stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void With_the_system_libcrypto_it_is_supported()
    {
        (int exitCode, string stdout, string stderr) = TestHost.Run(TestHost.StartInfo("primitive-mac-supported"));
        Assert.True(exitCode == 0, stderr);
        Assert.Contains("supported True", stdout, StringComparison.Ordinal);
        Assert.Contains("constructed", stdout, StringComparison.Ordinal);
    }
}
