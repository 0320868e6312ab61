using System.Security.Cryptography;
using Ama.Cryptography.Interop;
using Ama.Cryptography.Tests.Infrastructure;

namespace Ama.Cryptography.Tests.Scrubbing;

/// <summary>
/// The scrubbing stub: its bytes are the assembly in native/scrub, and after a call through it no vector,
/// opmask or caller-saved general register still holds what the callee left there. The controls make the
/// same call without the stub and find the values, so the register check can fail.
/// </summary>
public sealed unsafe class ScrubStubTests
{
    private static readonly string Source = Path.Combine(TestHost.FindRepoRoot(), "native", "scrub", "scrub_x86_64.S");

    private static readonly Lazy<RegisterProbe> Probe = new(() => new RegisterProbe());

    [Fact]
    public void The_embedded_machine_code_is_the_assembled_source()
    {
        Dictionary<string, byte[]> assembled = Assembler.Sections(Source, "sse", "avx", "avx512", "xgetbv");

        Assert.Equal(assembled["sse"], ScrubStubCode.X64Sse.ToArray());
        Assert.Equal(assembled["avx"], ScrubStubCode.X64Avx.ToArray());
        Assert.Equal(assembled["avx512"], ScrubStubCode.X64Avx512.ToArray());
        Assert.Equal(assembled["xgetbv"], ScrubStubCode.X64XGetBv.ToArray());
    }

    [Fact]
    public void Scrubbing_is_active_on_x64_linux_and_names_the_registers()
    {
        Assert.True(ScrubbedCall.IsActive, ScrubbedCall.Problem);
        Assert.Null(ScrubbedCall.Problem);
        Assert.Contains(Probe.Value.HasAvx512 ? "zmm0-31" : "ymm0-15", ScrubbedCall.RegisterSet, StringComparison.Ordinal);
    }

    [Fact]
    public void A_call_through_the_stub_leaves_no_register_holding_what_the_callee_put_there()
    {
        RegisterProbe probe = Probe.Value;
        byte[] pattern = RandomNumberGenerator.GetBytes(64);

        string[] left = probe.FillThenDump(pattern, throughStub: true);

        Assert.True(left.Length == 0, "still holding the callee's values: " + string.Join(", ", left));
    }

    [Fact]
    public void Control_a_direct_call_leaves_the_registers_holding_what_the_callee_put_there()
    {
        RegisterProbe probe = Probe.Value;
        byte[] pattern = RandomNumberGenerator.GetBytes(64);

        string[] left = probe.FillThenDump(pattern, throughStub: false);

        // The managed code between the two calls may use a few low registers; the rest must still hold the values.
        Assert.Contains(probe.HasAvx512 ? "zmm31" : "ymm15", left);
        Assert.Contains(left, name => name.StartsWith('r'));
        Assert.True(left.Length >= (probe.HasAvx512 ? 24 : 10), "the control found only: " + string.Join(", ", left));
    }
}
