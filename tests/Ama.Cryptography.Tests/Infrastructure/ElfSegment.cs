namespace Ama.Cryptography.Tests.Infrastructure;

/// <summary>One program header of an ELF core file: its type, where its bytes are in the file, and for PT_LOAD the address they had.</summary>
public readonly record struct ElfSegment(uint Type, long Offset, long FileSize, ulong VirtualAddress)
{
    public bool Contains(long offset) => offset >= Offset && offset < Offset + FileSize;

    /// <summary>The process address of the byte at file offset <paramref name="offset"/> (PT_LOAD only).</summary>
    public ulong AddressOf(long offset) => VirtualAddress + (ulong)(offset - Offset);
}
