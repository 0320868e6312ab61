using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.X86;

namespace Ama.Cryptography.Interop;

/// <summary>
/// Runs native calls that touch key material through a stub that, before control returns to managed code,
/// zeroes the stack the calls used and every vector and caller-saved general register (native/scrub).
/// </summary>
/// <remarks>
/// libsodium and libcrypto leave round keys, ChaCha20 key words and SHA midstates in SIMD registers and in dead
/// stack below the caller. A parked thread keeps its registers until it runs again, and the kernel writes them
/// into every core file; any signal (a GC suspension among them) saves them into a frame on the stack. The stub
/// is called with a GC transition (never SuppressGCTransition): the thread is in preemptive mode for the whole
/// call, so a GC never has to interrupt it, and by the time it can be suspended again the registers are clear.
/// The stub is machine code carried in this assembly, so it works with or without libama_secure_memory. Where
/// it cannot run (not x86-64 Linux), the calls are made directly and <see cref="IsActive"/> says so.
/// </remarks>
internal static unsafe class ScrubbedCall
{
    private const ulong XcrSseAvx = 0b110;          // XMM and YMM state
    private const ulong XcrAvx512 = 0b1110_0000;    // opmask, ZMM0-15 upper halves, ZMM16-31

    private static readonly delegate* unmanaged<NativeCall*, nint, nuint, nint> Stub;
    private static readonly string? problem;
    private static readonly string registerSet;

#pragma warning disable CA1810 // The three fields come from one mapping, so they are set together.
    static ScrubbedCall() => Stub = MapStub(out problem, out registerSet);
#pragma warning restore CA1810

    /// <summary>Gets whether registers and stack are scrubbed after each key operation.</summary>
    internal static bool IsActive => Stub != null;

    /// <summary>Gets why scrubbing is off, or null when it is active.</summary>
    internal static string? Problem => problem;

    /// <summary>Gets the register file the stub clears (for example "xmm/ymm/zmm 0-31, k0-7"), or "none".</summary>
    internal static string RegisterSet => registerSet;

    /// <summary>Calls <paramref name="function"/> and scrubs <paramref name="stackDepth"/> bytes of stack and the registers.</summary>
    internal static nint Invoke(void* function, nuint stackDepth, nint a0 = 0, nint a1 = 0, nint a2 = 0, nint a3 = 0, nint a4 = 0, nint a5 = 0, nint a6 = 0, nint a7 = 0, nint a8 = 0, nint a9 = 0)
    {
        var call = new NativeCall(function, a0, a1, a2, a3, a4, a5, a6, a7, a8, a9);
        return Run(&call, 1, stackDepth);
    }

    /// <summary>As <see cref="Invoke"/>, for a callee that returns a C <c>int</c> (the upper half of the register is undefined).</summary>
    internal static int InvokeForInt(void* function, nuint stackDepth, nint a0 = 0, nint a1 = 0, nint a2 = 0, nint a3 = 0, nint a4 = 0, nint a5 = 0, nint a6 = 0, nint a7 = 0, nint a8 = 0, nint a9 = 0) =>
        unchecked((int)Invoke(function, stackDepth, a0, a1, a2, a3, a4, a5, a6, a7, a8, a9));

    /// <summary>Makes <paramref name="count"/> calls in order, then scrubs once; returns the last result (each is in its record).</summary>
    internal static nint Run(NativeCall* calls, int count, nuint stackDepth)
    {
        if (Stub != null)
        {
            // The stub zeroes 64 bytes a store; a depth that is not a multiple would run past its own frame.
            return Stub(calls, count, (stackDepth + 63) & ~(nuint)63);
        }

        nint result = 0;
        for (int i = 0; i < count; i++)
        {
            NativeCall* call = calls + i;
            result = call->Result = ((delegate* unmanaged<nint, nint, nint, nint, nint, nint, nint, nint, nint, nint, nint>)call->Function)(
                call->A0, call->A1, call->A2, call->A3, call->A4, call->A5, call->A6, call->A7, call->A8, call->A9);
        }

        return result;
    }

    /// <summary>Clears the registers and <paramref name="stackDepth"/> bytes of stack after managed code has handled key bytes.</summary>
    internal static void Scrub(nuint stackDepth) => Run(null, 0, stackDepth);

    /// <summary>Clears the registers and stack after a key went through the BCL or NSec, which the stub could not wrap.</summary>
    internal static void AfterForeignCall() => Scrub(ScrubDepth.ForeignCall);

    private static delegate* unmanaged<NativeCall*, nint, nuint, nint> MapStub(out string? why, out string registers)
    {
        registers = "none";
        if (Environment.GetEnvironmentVariable("AMA_SCRUB") == "off")
        {
            why = "switched off by AMA_SCRUB=off";
            return null;
        }

        if (!Platform.IsLinux || RuntimeInformation.ProcessArchitecture != Architecture.X64)
        {
            why = $"the scrubbing stub exists for x86-64 Linux only, and this is {RuntimeInformation.OSDescription} on {RuntimeInformation.ProcessArchitecture}";
            return null;
        }

        ulong xcr0 = ReadXcr0();
        (ReadOnlySpan<byte> code, registers) = SelectCode(xcr0);
        byte* page = MapExecutable(code, out why);
        return (delegate* unmanaged<NativeCall*, nint, nuint, nint>)page;
    }

    // The runtime's own AVX-512 switch (DOTNET_EnableAVX512=0) does not stop libsodium or libcrypto from using
    // zmm registers, so the choice follows the CPU and the kernel, read directly.
    private static (byte[] Code, string Registers) SelectCode(ulong xcr0)
    {
        bool avx = (X86Base.CpuId(1, 0).Ecx & (1 << 28)) != 0 && (xcr0 & XcrSseAvx) == XcrSseAvx;
        bool avx512 = avx && (X86Base.CpuId(7, 0).Ebx & (1 << 16)) != 0 && (xcr0 & XcrAvx512) == XcrAvx512;
        return avx512 ? (ScrubStubCode.X64Avx512.ToArray(), "zmm0-31, k0-7")
            : avx ? (ScrubStubCode.X64Avx.ToArray(), "ymm0-15")
            : (ScrubStubCode.X64Sse.ToArray(), "xmm0-15");
    }

    private static ulong ReadXcr0()
    {
        bool osxsave = (X86Base.CpuId(1, 0).Ecx & (1 << 27)) != 0;
        if (!osxsave)
        {
            return 0;
        }

        byte* page = MapExecutable(ScrubStubCode.X64XGetBv, out _);
        if (page == null)
        {
            return 0;
        }

        ulong xcr0 = ((delegate* unmanaged[SuppressGCTransition]<ulong>)page)();
        Libc.Munmap((nint)page, (nuint)Environment.SystemPageSize);
        return xcr0;
    }

    private static byte* MapExecutable(ReadOnlySpan<byte> code, out string? why)
    {
        nint page = Libc.Mmap(0, (nuint)Environment.SystemPageSize, Libc.PROT_READ | Libc.PROT_WRITE, Libc.MAP_PRIVATE | Libc.MAP_ANONYMOUS, -1, 0);
        if (page == Libc.MAP_FAILED)
        {
            why = $"mmap for the scrubbing stub failed ({Marshal.GetLastPInvokeErrorMessage()})";
            return null;
        }

        code.CopyTo(new Span<byte>((void*)page, code.Length));
        if (Libc.Mprotect(page, (nuint)Environment.SystemPageSize, Libc.PROT_READ | Libc.PROT_EXEC) != 0)
        {
            why = $"the scrubbing stub's page could not be made executable ({Marshal.GetLastPInvokeErrorMessage()})";
            Libc.Munmap(page, (nuint)Environment.SystemPageSize);
            return null;
        }

        why = null;
        return (byte*)page;
    }
}
