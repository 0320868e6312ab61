using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using Ama.Cryptography.Interop;
using Ama.Cryptography.Primitives;

namespace Ama.Cryptography.Tests.Scrubbing;

/// <summary>
/// Each key-bearing native call's real stack depth, measured by painting the stack, is inside the depth the
/// scrubbing stub zeroes for it (ScrubDepth), with room for a deeper build of the library.
/// </summary>
[Collection(nameof(HoldsOffTheGc))]
public sealed unsafe class ScrubStackDepthTests(ITestOutputHelper output) : IDisposable
{
    /// <summary>What a deeper libsodium or libcrypto build may add before the constant must be raised.</summary>
    private const int Margin = 512;

    private const int LongMessage = 16 * 1024;

    private const int AlignmentWindow = 2048;

    private readonly byte* memory = (byte*)NativeMemory.AllocZeroed(4 * LongMessage);

    public static TheoryData<string> Calls => new(KeyBearingCalls.Names);

    [Theory]
    [MemberData(nameof(Calls))]
    public void The_measured_depth_is_inside_the_scrubbed_depth(string name)
    {
        Assert.True(ScrubbedCall.IsActive, ScrubbedCall.Problem);
        KeyBearingCalls.KeyCall call = KeyBearingCalls.Get(name, memory, LongMessage);
        call.Prepare();

        // OpenSSL's AVX2 block functions align their frames to up to 2 KiB, so the depth depends on where the stack
        // pointer is: measure from every 64-byte step of a 2 KiB window and keep the deepest.
        KeyBearingCalls.KeyCall nothing = KeyBearingCalls.DoNothing();
        int deepest = 0;
        for (int shift = 0; shift < AlignmentWindow; shift += 64)
        {
            deepest = Math.Max(deepest, Least(call, shift) - Least(nothing, shift));
        }

        output.WriteLine($"{name}: {deepest} bytes below the stub measured, {call.ScrubbedDepth} zeroed");
        Assert.True(deepest + Margin <= (int)call.ScrubbedDepth, $"{name} used {deepest} bytes of stack; ScrubDepth gives {call.ScrubbedDepth}, less than that plus a margin of {Margin}");
    }

    [Fact]
    public void Control_the_measurement_sees_a_function_that_writes_exactly_1_KiB_below_its_frame()
    {
        // sub rsp, 1024; mov byte ptr [rsp], 1; add rsp, 1024; ret
        void* writer = Assembler.MapExecutable([0x48, 0x81, 0xEC, 0x00, 0x04, 0x00, 0x00, 0xC6, 0x04, 0x24, 0x01, 0x48, 0x81, 0xC4, 0x00, 0x04, 0x00, 0x00, 0xC3]);
        int harness = Least(KeyBearingCalls.DoNothing(), 0);

        int measured = Least(new KeyBearingCalls.KeyCall(0, () => { }, d => ScrubbedCall.Invoke(writer, d)), 0) - harness;

        Assert.InRange(measured, 1024, 1024 + 16);
    }

    public void Dispose() => NativeMemory.Free(memory);

    /// <summary>The first runs also JIT-compile and bind (deep runtime frames); anything else can only add depth, so the least of several later runs is the call's own.</summary>
    /// <remarks>
    /// A GC started by another test suspends this thread with a signal whose frame lands in the painted region, so
    /// the measurements run with the GC held off (other tests allocate a lot when they run in parallel).
    /// </remarks>
    private static int Least(KeyBearingCalls.KeyCall call, int shift)
    {
        _ = Measure(call, shift);
        int least = int.MaxValue;
        for (int i = 0; i < 9; i++)
        {
            bool noGc = GC.TryStartNoGCRegion(16 * 1024 * 1024);
            try
            {
                least = Math.Min(least, Measure(call, shift));
            }
            finally
            {
                if (noGc && System.Runtime.GCSettings.LatencyMode == System.Runtime.GCLatencyMode.NoGCRegion)
                {
                    GC.EndNoGCRegion();
                }
            }
        }

        return least;
    }

    /// <summary>Measures with the stack pointer <paramref name="shift"/> bytes lower than it would otherwise be.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static int Measure(KeyBearingCalls.KeyCall call, int shift)
    {
        byte* padding = stackalloc byte[shift + 16];
        GC.KeepAlive((nint)padding);
        return MeasureHere(call);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static int MeasureHere(KeyBearingCalls.KeyCall call)
    {
        StackHighWaterMark.Paint();
        call.Run(0);
        return StackHighWaterMark.Scan();
    }
}
