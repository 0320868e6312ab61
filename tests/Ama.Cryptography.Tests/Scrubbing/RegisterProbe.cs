using System.Runtime.InteropServices;
using Ama.Cryptography.Interop;

namespace Ama.Cryptography.Tests.Scrubbing;

/// <summary>
/// Two test functions assembled at run time: one loads a 64-byte pattern into every vector, opmask and
/// caller-saved general register, the other stores them all to memory, so a test can see what a call left.
/// </summary>
public sealed unsafe class RegisterProbe
{
    private const int VectorBytes = 64;

    private readonly delegate* unmanaged[SuppressGCTransition]<byte*, void> fill;
    private readonly delegate* unmanaged[SuppressGCTransition]<byte*, void> dump;

    public RegisterProbe()
    {
        HasAvx512 = (System.Runtime.Intrinsics.X86.X86Base.CpuId(7, 0).Ebx & (1 << 16)) != 0 && ScrubbedCall.RegisterSet.Contains("zmm", StringComparison.Ordinal);
        string source = Path.Combine(Path.GetTempPath(), $"ama-probe-{Guid.NewGuid():N}.S");
        File.WriteAllText(source, HasAvx512 ? Avx512Source : AvxSource);
        try
        {
            Dictionary<string, byte[]> code = Assembler.Sections(source, "fill", "dump");
            fill = (delegate* unmanaged[SuppressGCTransition]<byte*, void>)Assembler.MapExecutable(code["fill"]);
            dump = (delegate* unmanaged[SuppressGCTransition]<byte*, void>)Assembler.MapExecutable(code["dump"]);
        }
        finally
        {
            File.Delete(source);
        }
    }

    public bool HasAvx512 { get; }

    private int VectorCount => HasAvx512 ? 32 : 16;

    private int VectorSize => HasAvx512 ? 64 : 32;

    private string VectorName => HasAvx512 ? "zmm" : "ymm";

    /// <summary>Fills the registers (through the scrubbing stub, or directly) and returns the names of those still holding the pattern.</summary>
    public string[] FillThenDump(byte[] pattern, bool throughStub)
    {
        byte* source = (byte*)NativeMemory.AlignedAlloc(VectorBytes, VectorBytes);
        byte* saved = (byte*)NativeMemory.AlignedAlloc(4096, VectorBytes);
        try
        {
            pattern.CopyTo(new Span<byte>(source, VectorBytes));
            new Span<byte>(saved, 4096).Clear();
            if (throughStub)
            {
                ScrubbedCall.Invoke(fill, 0, (nint)source);
            }
            else
            {
                fill(source);
            }

            dump(saved);
            return Holding(pattern, saved);
        }
        finally
        {
            NativeMemory.AlignedFree(source);
            NativeMemory.AlignedFree(saved);
        }
    }

    private string[] Holding(byte[] pattern, byte* saved)
    {
        var names = new List<string>();
        for (int i = 0; i < VectorCount; i++)
        {
            if (new ReadOnlySpan<byte>(saved + (i * VectorSize), VectorSize).SequenceEqual(pattern.AsSpan(0, VectorSize)))
            {
                names.Add(VectorName + i);
            }
        }

        byte* scalars = saved + (32 * 64);
        ulong word = BitConverter.ToUInt64(pattern, 0);
        string[] scalarNames = HasAvx512 ? ["k0", "k1", "k2", "k3", "k4", "k5", "k6", "k7", "rcx", "rdx", "rsi", "r8", "r9", "r10", "r11"] : ["rcx", "rdx", "rsi", "r8", "r9", "r10", "r11"];
        for (int i = 0; i < scalarNames.Length; i++)
        {
            if (((ulong*)scalars)[i] == word)
            {
                names.Add(scalarNames[i]);
            }
        }

        return [.. names];
    }

    // fill(rdi): every register from the pattern at rdi. dump(rdi): every register to rdi, the vectors first
    // (32 x 64 bytes), then the opmasks and the general registers as 64-bit words.
    private const string Avx512Source = """
        .intel_syntax noprefix
        .section .text.ama_fill, "ax"
        .irp n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
        vmovdqu64 zmm\n, [rdi]
        .endr
        .irp n, 0,1,2,3,4,5,6,7
        kmovq k\n, [rdi]
        .endr
        mov rcx, [rdi]
        mov rdx, rcx
        mov rsi, rcx
        mov r8, rcx
        mov r9, rcx
        mov r10, rcx
        mov r11, rcx
        ret
        .section .text.ama_dump, "ax"
        .irp n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
        vmovdqu64 [rdi + \n * 64], zmm\n
        .endr
        .irp n, 0,1,2,3,4,5,6,7
        kmovq [rdi + 2048 + \n * 8], k\n
        .endr
        mov [rdi + 2112], rcx
        mov [rdi + 2120], rdx
        mov [rdi + 2128], rsi
        mov [rdi + 2136], r8
        mov [rdi + 2144], r9
        mov [rdi + 2152], r10
        mov [rdi + 2160], r11
        ret

        """;

    private const string AvxSource = """
        .intel_syntax noprefix
        .section .text.ama_fill, "ax"
        .irp n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15
        vmovdqu ymm\n, [rdi]
        .endr
        mov rcx, [rdi]
        mov rdx, rcx
        mov rsi, rcx
        mov r8, rcx
        mov r9, rcx
        mov r10, rcx
        mov r11, rcx
        ret
        .section .text.ama_dump, "ax"
        .irp n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15
        vmovdqu [rdi + \n * 32], ymm\n
        .endr
        mov [rdi + 2048], rcx
        mov [rdi + 2056], rdx
        mov [rdi + 2064], rsi
        mov [rdi + 2072], r8
        mov [rdi + 2080], r9
        mov [rdi + 2088], r10
        mov [rdi + 2096], r11
        ret

        """;
}
