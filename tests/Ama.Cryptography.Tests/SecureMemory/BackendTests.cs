using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Ama.Cryptography.Tests.SecureMemoryFunctions;

/// <summary>
/// CI runs the tests once with the native library and once without; this test makes sure each
/// run really tests the backend it claims to, instead of quietly falling back.
/// </summary>
public class BackendTests
{
    [Fact]
    public void The_active_backend_is_the_one_this_run_expects()
    {
        SecureMemoryBackend expected = ExpectedBackend(
            Environment.GetEnvironmentVariable("AMA_EXPECT_BACKEND"),
            Environment.GetEnvironmentVariable("AMA_NATIVE_LIBRARY"));

        SecureMemoryStatus status = SecureMemory.GetStatus();

        Assert.Equal(expected, status.Backend);
        Assert.Equal(expected == SecureMemoryBackend.Native, status.NativeLibraryPath is not null);
    }

    [Fact]
    public void Switching_off_AVX_512_in_the_runtime_really_takes_the_narrower_paths()
    {
        // .ci/run runs the zeroing and compare tests a third time with DOTNET_EnableAVX512=0 so
        // that the paths of hosts without AVX-512 are tested; this makes sure that run is one.
        if (Environment.GetEnvironmentVariable("DOTNET_EnableAVX512") == "0")
        {
            Assert.False(Vector512.IsHardwareAccelerated);
            Assert.False(Avx512BW.IsSupported);
        }
        else
        {
            Assert.True(!Vector512.IsHardwareAccelerated || Avx512BW.IsSupported);
        }
    }

    [Theory]
    [InlineData("native", null, SecureMemoryBackend.Native)]
    [InlineData("NATIVE", "none", SecureMemoryBackend.Native)]
    [InlineData("managed", "/etc/hostname", SecureMemoryBackend.Managed)]
    [InlineData(null, null, SecureMemoryBackend.Managed)]
    [InlineData(null, "none", SecureMemoryBackend.Managed)]
    [InlineData(null, "/no/such/libama.so", SecureMemoryBackend.Managed)]
    [InlineData(null, "/etc/hostname", SecureMemoryBackend.Native)]
    public void Expectation_follows_AMA_EXPECT_BACKEND_then_AMA_NATIVE_LIBRARY(string? expect, string? library, SecureMemoryBackend result)
    {
        Assert.Equal(result, ExpectedBackend(expect, library));
    }

    [Fact]
    public void An_unknown_AMA_EXPECT_BACKEND_is_an_error_not_a_silent_pass()
    {
        Assert.Throws<ArgumentException>(() => ExpectedBackend("nativ", null));
    }

    private static SecureMemoryBackend ExpectedBackend(string? expect, string? library)
    {
        if (!string.IsNullOrEmpty(expect))
        {
            return expect.ToUpperInvariant() switch
            {
                "NATIVE" => SecureMemoryBackend.Native,
                "MANAGED" => SecureMemoryBackend.Managed,
                _ => throw new ArgumentException($"AMA_EXPECT_BACKEND must be native or managed, not '{expect}'.", nameof(expect)),
            };
        }

        return !string.IsNullOrEmpty(library) && File.Exists(library) ? SecureMemoryBackend.Native : SecureMemoryBackend.Managed;
    }
}
