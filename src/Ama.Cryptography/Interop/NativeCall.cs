using System.Runtime.InteropServices;

namespace Ama.Cryptography.Interop;

/// <summary>One native call for <see cref="ScrubbedCall"/>: the function, ten arguments (a callee ignores the ones it does not take), and its result.</summary>
/// <remarks>The layout is the stub's (native/scrub/scrub_x86_64.S): 96 bytes, the result at offset 88.</remarks>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct NativeCall
{
    internal void* Function;
    internal nint A0;
    internal nint A1;
    internal nint A2;
    internal nint A3;
    internal nint A4;
    internal nint A5;
    internal nint A6;
    internal nint A7;
    internal nint A8;
    internal nint A9;
    internal nint Result;

    internal NativeCall(void* function, nint a0 = 0, nint a1 = 0, nint a2 = 0, nint a3 = 0, nint a4 = 0, nint a5 = 0, nint a6 = 0, nint a7 = 0, nint a8 = 0, nint a9 = 0)
    {
        Function = function;
        A0 = a0;
        A1 = a1;
        A2 = a2;
        A3 = a3;
        A4 = a4;
        A5 = a5;
        A6 = a6;
        A7 = a7;
        A8 = a8;
        A9 = a9;
        Result = 0;
    }

    /// <summary>The callee's C <c>int</c> result: the low half of the register.</summary>
    internal readonly int IntResult => unchecked((int)Result);
}
