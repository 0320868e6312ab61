using System.Runtime.CompilerServices;
using Ama.Cryptography.Interop;

namespace Ama.Cryptography.Tests.Scrubbing;

/// <summary>
/// The stub zeroes every byte of the stack depth it is given, wherever the stack pointer sits relative to a
/// 64-byte line (it stores whole aligned lines, then one store ending at its frame). A callee fills the bytes
/// below its frame with a marker; after the call no run of the marker is left. The control gives the stub half
/// the depth the callee wrote and finds the marker, so the check can fail.
/// </summary>
[Collection(nameof(HoldsOffTheGc))]
public sealed unsafe class ScrubStackZeroingTests
{
    private const byte Marker = 0x5A;

    private const int StubArgumentsAndReturn = 40;

    public static TheoryData<int> Depths => new(64, 128, 832, 1024, 2304, 16384);

    [Theory]
    [MemberData(nameof(Depths))]
    public void Every_byte_the_callee_wrote_is_zeroed_from_every_stack_alignment(int depth)
    {
        Assert.True(ScrubbedCall.IsActive, ScrubbedCall.Problem);
        // The stub's depth counts from its own frame; the four stack arguments and the return address sit between.
        void* writer = FillBelowFrame(depth - StubArgumentsAndReturn);

        for (int shift = 0; shift < 64; shift += 8)
        {
            byte[] stack = CallFrom(shift, writer, (nuint)depth);

            Assert.True(MarkerRun(stack) < 0, $"depth {depth}, stack shifted {shift} bytes: the callee's bytes are still below the stub");
        }
    }

    [Fact]
    public void Control_a_depth_smaller_than_what_the_callee_wrote_leaves_its_bytes()
    {
        void* writer = FillBelowFrame(1024);

        byte[] stack = CallFrom(0, writer, 512);

        Assert.True(MarkerRun(stack) >= 0, "the marker was not found although the stub zeroed only half of it");
    }

    /// <summary>Machine code that writes <paramref name="length"/> marker bytes just below its return address.</summary>
    private static void* FillBelowFrame(int length)
    {
        byte[] size = BitConverter.GetBytes(length);
        return Assembler.MapExecutable(
        [
            0x48, 0xC7, 0xC1, size[0], size[1], size[2], size[3], // mov rcx, length
            0x48, 0x89, 0xE7,                                     // mov rdi, rsp
            0x48, 0x29, 0xCF,                                     // sub rdi, rcx
            0xB0, Marker,                                         // mov al, marker
            0xF3, 0xAA,                                           // rep stosb
            0xC3,                                                 // ret
        ]);
    }

    /// <summary>Makes the call with the stack pointer <paramref name="shift"/> bytes lower, and copies the stack below.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static byte[] CallFrom(int shift, void* function, nuint depth)
    {
        byte* padding = stackalloc byte[shift + 16];
        GC.KeepAlive((nint)padding);
        return CallHere(function, depth);
    }

    /// <summary>The GC is held off: a suspension signal's frame would land in the region and could hide the marker in the control.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static byte[] CallHere(void* function, nuint depth)
    {
        bool noGc = GC.TryStartNoGCRegion(1024 * 1024);
        try
        {
            StackHighWaterMark.Paint();
            ScrubbedCall.Invoke(function, depth);
            return StackHighWaterMark.Snapshot();
        }
        finally
        {
            if (noGc && System.Runtime.GCSettings.LatencyMode == System.Runtime.GCLatencyMode.NoGCRegion)
            {
                GC.EndNoGCRegion();
            }
        }
    }

    private static int MarkerRun(byte[] stack) => stack.AsSpan().IndexOf(stackalloc byte[] { Marker, Marker, Marker, Marker, Marker, Marker, Marker, Marker });
}
