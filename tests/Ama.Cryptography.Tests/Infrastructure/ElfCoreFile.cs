using System.Buffers.Binary;
using System.Globalization;
using System.Text;

namespace Ama.Cryptography.Tests.Infrastructure;

/// <summary>
/// The program headers and notes of an ELF64 core file (gcore, createdump), read without trusting any tool:
/// which file offsets are process memory (PT_LOAD, at which address) and which are the PT_NOTE records the
/// kernel or the dump writer filled with each thread's registers (NT_PRSTATUS, NT_PRFPREG's FXSAVE area with
/// xmm0-15, NT_X86_XSTATE's XSAVE area with the upper halves of ymm and zmm and zmm16-31).
/// </summary>
public sealed class ElfCoreFile
{
    public const uint PtLoad = 1;
    public const uint PtNote = 4;
    public const uint NtPrStatus = 1;
    public const uint NtPrFpReg = 2;
    public const uint NtX86XState = 0x202;

    private const int ProgramHeaderSize = 56;

    // struct elf_prstatus on x86-64: pr_pid at 32, pr_reg (struct user_regs_struct) at 112, rsp its 20th word.
    private const int PrStatusPid = 32;
    private const int PrStatusStackPointer = 112 + (19 * 8);

    private ElfCoreFile(List<ElfSegment> segments, List<ElfNote> notes)
    {
        Segments = segments;
        Notes = notes;
    }

    public IReadOnlyList<ElfSegment> Segments { get; }

    public IReadOnlyList<ElfNote> Notes { get; }

    /// <summary>The notes that hold SIMD registers: NT_PRFPREG and NT_X86_XSTATE.</summary>
    public IEnumerable<ElfNote> RegisterNotes => Notes.Where(n => n.Type is NtPrFpReg or NtX86XState);

    public static ElfCoreFile Read(string path)
    {
        using FileStream stream = File.OpenRead(path);
        byte[] header = ReadAt(stream, 0, 64);
        Assert.True(header.AsSpan(0, 4).SequenceEqual((ReadOnlySpan<byte>)[0x7F, (byte)'E', (byte)'L', (byte)'F']), $"{path} is not an ELF file");
        Assert.True(header[4] == 2 && header[5] == 1, $"{path} is not a little-endian ELF64 file");
        Assert.True(BinaryPrimitives.ReadUInt16LittleEndian(header.AsSpan(16)) == 4, $"{path} is not a core file (ET_CORE)");
        long programHeaders = checked((long)BinaryPrimitives.ReadUInt64LittleEndian(header.AsSpan(0x20)));
        int count = BinaryPrimitives.ReadUInt16LittleEndian(header.AsSpan(0x38));
        if (count == 0xFFFF)
        {
            // PN_XNUM: more than 65534 segments; the real number is sh_info of section header 0.
            long sections = checked((long)BinaryPrimitives.ReadUInt64LittleEndian(header.AsSpan(0x28)));
            count = checked((int)BinaryPrimitives.ReadUInt32LittleEndian(ReadAt(stream, sections + 44, 4)));
        }

        byte[] table = ReadAt(stream, programHeaders, count * ProgramHeaderSize);
        var segments = new List<ElfSegment>(count);
        var notes = new List<ElfNote>();
        for (int i = 0; i < count; i++)
        {
            ReadOnlySpan<byte> entry = table.AsSpan(i * ProgramHeaderSize, ProgramHeaderSize);
            var segment = new ElfSegment(
                BinaryPrimitives.ReadUInt32LittleEndian(entry),
                checked((long)BinaryPrimitives.ReadUInt64LittleEndian(entry[8..])),
                checked((long)BinaryPrimitives.ReadUInt64LittleEndian(entry[32..])),
                BinaryPrimitives.ReadUInt64LittleEndian(entry[16..]));
            segments.Add(segment);
            if (segment.Type == PtNote)
            {
                ReadNotes(ReadAt(stream, segment.Offset, checked((int)segment.FileSize)), segment.Offset, notes);
            }
        }

        return new ElfCoreFile(segments, notes);
    }

    /// <summary>Whether <paramref name="offset"/> lies inside a PT_NOTE segment.</summary>
    public bool IsInNoteSegment(long offset) => Segments.Any(s => s.Type == PtNote && s.Contains(offset));

    /// <summary>The note whose descriptor holds <paramref name="offset"/>, if any.</summary>
    public ElfNote? NoteAt(long offset) => Notes.FirstOrDefault(n => offset >= n.DescriptorOffset && offset < n.DescriptorOffset + n.Descriptor.Length);

    /// <summary>The PT_LOAD segment whose bytes in the file hold <paramref name="offset"/>, if any.</summary>
    public ElfSegment? LoadAt(long offset) => Segments.Where(s => s.Type == PtLoad && s.Contains(offset)).Select(s => (ElfSegment?)s).FirstOrDefault();

    /// <summary>
    /// Names the register a byte of a register note belongs to: the FXSAVE area is the same in NT_PRFPREG and the
    /// first 512 bytes of NT_X86_XSTATE; above it the XSAVE components are at the standard (non-compacted) offsets
    /// the kernel writes for x86-64 (AVX at 576, opmask at 1088, ZMM_Hi256 at 1152, Hi16_ZMM at 1664).
    /// </summary>
    public static string RegisterAt(uint noteType, int offset)
    {
        string At(string name, int start, int size) =>
            offset - start == 0 ? name : string.Create(CultureInfo.InvariantCulture, $"{name} byte {offset - start} (of {size})");
        return offset switch
        {
            >= 32 and < 160 => At($"st{(offset - 32) / 16}/mm{(offset - 32) / 16}", 32 + ((offset - 32) / 16 * 16), 16),
            >= 160 and < 416 => At($"xmm{(offset - 160) / 16}", 160 + ((offset - 160) / 16 * 16), 16),
            < 512 => "FXSAVE control words",
            _ when noteType != NtX86XState => "beyond the FXSAVE area",
            < 576 => "XSAVE header",
            < 832 => At($"ymm{(offset - 576) / 16} upper 128 bits", 576 + ((offset - 576) / 16 * 16), 16),
            >= 1088 and < 1152 => At($"k{(offset - 1088) / 8}", 1088 + ((offset - 1088) / 8 * 8), 8),
            >= 1152 and < 1664 => At($"zmm{(offset - 1152) / 32} upper 256 bits", 1152 + ((offset - 1152) / 32 * 32), 32),
            >= 1664 and < 2688 => At($"zmm{16 + ((offset - 1664) / 64)}", 1664 + ((offset - 1664) / 64 * 64), 64),
            _ => string.Create(CultureInfo.InvariantCulture, $"XSAVE byte {offset}"),
        };
    }

    public static string NoteTypeName(uint type) => type switch
    {
        NtPrStatus => "NT_PRSTATUS",
        NtPrFpReg => "NT_PRFPREG",
        NtX86XState => "NT_X86_XSTATE",
        _ => string.Create(CultureInfo.InvariantCulture, $"note type 0x{type:x}"),
    };

    private static void ReadNotes(byte[] segment, long segmentOffset, List<ElfNote> notes)
    {
        int position = 0;
        int thread = 0;
        ulong stackPointer = 0;
        while (position + 12 <= segment.Length)
        {
            int nameSize = checked((int)BinaryPrimitives.ReadUInt32LittleEndian(segment.AsSpan(position)));
            int descriptorSize = checked((int)BinaryPrimitives.ReadUInt32LittleEndian(segment.AsSpan(position + 4)));
            uint type = BinaryPrimitives.ReadUInt32LittleEndian(segment.AsSpan(position + 8));
            int nameStart = position + 12;
            int descriptorStart = nameStart + Align4(nameSize);
            if (descriptorStart + descriptorSize > segment.Length)
            {
                break;
            }

            string name = Encoding.ASCII.GetString(segment, nameStart, Math.Max(0, nameSize - 1));
            byte[] descriptor = segment.AsSpan(descriptorStart, descriptorSize).ToArray();
            if (type == NtPrStatus && name == "CORE" && descriptorSize >= PrStatusStackPointer + 8)
            {
                // Every note after a thread's NT_PRSTATUS, up to the next one, is that thread's.
                thread = BinaryPrimitives.ReadInt32LittleEndian(descriptor.AsSpan(PrStatusPid));
                stackPointer = BinaryPrimitives.ReadUInt64LittleEndian(descriptor.AsSpan(PrStatusStackPointer));
            }

            notes.Add(new ElfNote(type, name, segmentOffset + descriptorStart, descriptor, thread, stackPointer));
            position = descriptorStart + Align4(descriptorSize);
        }
    }

    private static int Align4(int value) => (value + 3) & ~3;

    private static byte[] ReadAt(FileStream stream, long offset, int length)
    {
        byte[] bytes = new byte[length];
        stream.Position = offset;
        stream.ReadExactly(bytes);
        return bytes;
    }
}
