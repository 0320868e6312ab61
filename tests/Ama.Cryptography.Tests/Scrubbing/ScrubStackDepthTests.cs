using System.Runtime.InteropServices;
using System.Security.Cryptography;
using Ama.Cryptography.Interop;
using Ama.Cryptography.Primitives;

namespace Ama.Cryptography.Tests.Scrubbing;

/// <summary>
/// Each key-bearing native call's real stack depth, measured by painting the stack, is inside the depth the
/// scrubbing stub zeroes for it (ScrubDepth), with room for a deeper build of the library.
/// </summary>
public sealed unsafe class ScrubStackDepthTests(ITestOutputHelper output) : IDisposable
{
    /// <summary>What a deeper libsodium or libcrypto build may add before the constant must be raised.</summary>
    private const int Margin = 512;

    private const int LongMessage = 16 * 1024;

    private readonly byte* memory = (byte*)NativeMemory.AllocZeroed(4 * LongMessage);

    public static TheoryData<string> Calls => new(KeyBearingCalls.Names);

    [Theory]
    [MemberData(nameof(Calls))]
    public void The_measured_depth_is_inside_the_scrubbed_depth(string name)
    {
        Assert.True(ScrubbedCall.IsActive, ScrubbedCall.Problem);
        KeyBearingCalls.KeyCall call = KeyBearingCalls.Get(name, memory, LongMessage);
        call.Prepare();

        // The first runs also JIT-compile and bind (deep runtime frames); anything else can only add depth,
        // so the least of several later runs is the call's own.
        _ = Measure(call);
        int deepest = int.MaxValue;
        for (int i = 0; i < 5; i++)
        {
            deepest = Math.Min(deepest, Measure(call));
        }

        output.WriteLine($"{name}: {deepest} bytes measured, {call.ScrubbedDepth} zeroed");
        Assert.True(deepest > 0, $"{name}: the painted stack was not written at all, so the measurement did not see the call");
        Assert.True(deepest + Margin <= (int)call.ScrubbedDepth, $"{name} used {deepest} bytes of stack; ScrubDepth gives {call.ScrubbedDepth}, less than that plus a margin of {Margin}");
    }

    public void Dispose() => NativeMemory.Free(memory);

    private static int Measure(KeyBearingCalls.KeyCall call)
    {
        StackHighWaterMark.Paint();
        call.Run(0);
        return StackHighWaterMark.Scan();
    }
}
