using System.Buffers.Binary;
using System.Globalization;
using System.Security.Cryptography;
using Ama.Cryptography.Tests.Infrastructure;

namespace Ama.Cryptography.Tests.Primitives;

/// <summary>
/// Issue 18: a key in use leaves nothing behind. A consumer like the one that broke the claim (13 request threads
/// on every key-in-use type, keys read straight into SecureBuffers; see tests/Ama.TestHost/KeyHygieneScenarios.cs)
/// parks its threads right after their last key operation, with every object alive or after disposing them all,
/// and is dumped with createdump --full, createdump --withheap and gcore. The whole dump, the PT_NOTE register
/// notes included, must hold none of the key-equivalent values (raw keys, AES round keys, GHASH H, ChaCha20 key
/// words in SIMD broadcast, HMAC and HKDF-PRK midstates in context and SHA-NI layout, HKDF PRKs and outputs, the
/// Ed25519 expanded scalar, X25519 shared secrets), while public keys kept in managed arrays must be found; and no
/// AES-256 key of the consumer may be recoverable from the saved registers by running the key schedule backwards.
/// </summary>
public sealed class KeyHygieneDumpTests(KeyHygieneDumps dumps, ITestOutputHelper output) : IClassFixture<KeyHygieneDumps>
{
    public static TheoryData<string, DumpKind> Cases => new()
    {
        { "parked", DumpKind.CreatedumpFull },
        { "parked", DumpKind.CreatedumpWithHeap },
        { "parked", DumpKind.Gcore },
        { "disposed", DumpKind.CreatedumpFull },
        { "disposed", DumpKind.CreatedumpWithHeap },
        { "disposed", DumpKind.Gcore },
        { "gc-storm", DumpKind.CreatedumpFull },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void No_key_equivalent_value_is_anywhere_in_the_dump_registers_included(string mode, DumpKind kind)
    {
        RequireTool(kind);
        KeyHygieneDump dump = dumps.Get(mode, kind);
        string summary = dump.Summary();
        output.WriteLine(summary);
        output.WriteLine(dump.FoundDetails());

        Assert.True(dump.Controls.All(c => c.Count >= 1), $"a public control value is missing, so the search proves nothing.\n{summary}");
        Assert.True(dump.RegisterNotes.Count >= KeyHygieneDumps.Workers + 1, $"the dump has register notes for too few threads, so the register search proves nothing.\n{summary}");
        Assert.True(kind != DumpKind.Gcore || dump.XStateNotes >= KeyHygieneDumps.Workers + 1, $"gcore wrote too few NT_X86_XSTATE notes, so the ymm/zmm search proves nothing.\n{summary}");
        Assert.True(
            dump.Secrets.All(f => f.Count == 0),
            $"key-equivalent values are in the {kind} dump of the {mode} consumer.\n{summary}\nfound:\n{dump.FoundDetails()}");
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void No_AES_256_key_of_the_consumer_is_recoverable_from_the_register_notes(string mode, DumpKind kind)
    {
        RequireTool(kind);
        KeyHygieneDump dump = dumps.Get(mode, kind);
        Assert.True(dump.RegisterNotes.Count >= KeyHygieneDumps.Workers + 1, $"{mode} {kind}: only {dump.RegisterNotes.Count} register notes, so the recovery proves nothing");

        List<RecoveredAesKey> recovered = AesKeyRecovery.Recover(dump.RegisterNotes, dump.Values.AesKeys);
        string Describe(RecoveredAesKey key) => string.Create(
            CultureInfo.InvariantCulture,
            $"  {(key.IsKnownKey ? Name(dump, key.Key) : "an AES-256 key that is not one of the consumer's")}, {(key.ConfirmedBlind ? "found blind (another of its even round keys is in the notes)" : "found by testing candidates against the key")}: "
            + $"pair taken as round keys {key.Round} and {key.Round + 1} in {dump.RegisterNoteNames[key.Region]}, at {RegisterOf(dump, key)}");
        string report = recovered.Count == 0 ? "  none" : string.Join("\n", recovered.Select(Describe));
        output.WriteLine($"{mode} {kind}: keys recovered from {dump.RegisterNotes.Count} register notes:\n{report}");

        // A recovered key that is not the consumer's is reported, not failed: it belongs to no object of the library
        // (OpenSSL's default random generator behind RandomNumberGenerator, for one, is AES-256 CTR-DRBG).
        Assert.False(recovered.Any(k => k.IsKnownKey), $"{mode} {kind}: an AES-256 key of the consumer is recoverable from the register notes:\n{report}");
    }

    [Fact]
    public void Control_with_scrubbing_switched_off_the_same_consumer_leaves_round_keys_and_its_key_is_recovered()
    {
        RequireTool(DumpKind.Gcore);
        KeyHygieneDump dump = dumps.Get(KeyHygieneDumps.UnscrubbedMode, DumpKind.Gcore);
        output.WriteLine(dump.Summary());

        Assert.Contains(dump.Secrets, f => f.Count > 0);
        Assert.Contains(AesKeyRecovery.Recover(dump.RegisterNotes, dump.Values.AesKeys), k => k.IsKnownKey);
    }

    [Fact]
    public void The_backwards_key_schedule_gives_the_key_from_any_two_consecutive_round_keys()
    {
        byte[] fipsKey = Convert.FromHexString("603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4");
        foreach (byte[] key in (byte[][])[fipsKey, RandomNumberGenerator.GetBytes(32)])
        {
            byte[] schedule = Aes256KeySchedule.Expand(key);
            byte[] back = new byte[32];
            for (int round = 0; round <= 13; round++)
            {
                Aes256KeySchedule.KeyFromRoundKeys(schedule.AsSpan(round * 16, 32), round, back);
                Assert.True(back.AsSpan().SequenceEqual(key), $"round keys {round} and {round + 1} did not lead back to the key");
            }
        }
    }

    /// <summary>
    /// The negative control of the blind recovery and of the core-file reading: a core file built here, whose
    /// register notes hold round keys 5 to 8 of a known key in xmm3-xmm6 (NT_PRFPREG, as libsodium's AES-GCM leaves
    /// round keys in consecutive registers) and round keys 9 and 10 in two lanes of zmm20 and 12 in xmm7 (NT_X86_XSTATE), among
    /// random bytes. Reading it back finds the thread, the notes and the registers; the recovery, told no key, finds
    /// the planted key and no other, and finds nothing in a file without it.
    /// </summary>
    [Fact]
    public void Blind_recovery_finds_a_key_planted_in_the_register_notes_of_a_core_file()
    {
        byte[] key = RandomNumberGenerator.GetBytes(32);
        byte[] schedule = Aes256KeySchedule.Expand(key);
        byte[] RoundKey(int round) => schedule[(round * 16)..((round + 1) * 16)];
        string directory = Directory.CreateTempSubdirectory("ama-key-hygiene-synthetic-").FullName;
        try
        {
            byte[] fxsave = RandomNumberGenerator.GetBytes(512);
            RoundKey(5).CopyTo(fxsave, 160 + (3 * 16));
            RoundKey(6).CopyTo(fxsave, 160 + (4 * 16));
            RoundKey(7).CopyTo(fxsave, 160 + (5 * 16));
            RoundKey(8).CopyTo(fxsave, 160 + (6 * 16));
            byte[] xsave = RandomNumberGenerator.GetBytes(2696);
            RoundKey(9).CopyTo(xsave, 1664 + (4 * 64));
            RoundKey(10).CopyTo(xsave, 1664 + (4 * 64) + 16);
            RoundKey(12).CopyTo(xsave, 160 + (7 * 16));
            string planted = Path.Combine(directory, "planted.core");
            File.WriteAllBytes(planted, SyntheticCore(4242, 0x7f00_0000_1000, fxsave, xsave));

            ElfCoreFile core = ElfCoreFile.Read(planted);
            ElfNote[] registers = [.. core.RegisterNotes];
            Assert.Equal([ElfCoreFile.NtPrFpReg, ElfCoreFile.NtX86XState], registers.Select(n => n.Type));
            Assert.All(registers, n => Assert.Equal(4242, n.ThreadId));
            Assert.All(registers, n => Assert.Equal(0x7f00_0000_1000UL, n.StackPointer));
            List<long>[] offsets = MultiPatternSearch.FindAll(planted, [RoundKey(6), RoundKey(10)]);
            long inFxsave = Assert.Single(offsets[0]);
            Assert.True(core.IsInNoteSegment(inFxsave));
            ElfNote note = core.NoteAt(inFxsave)!;
            Assert.Equal("xmm4", ElfCoreFile.RegisterAt(note.Type, checked((int)(inFxsave - note.DescriptorOffset))));
            long inXsave = Assert.Single(offsets[1]);
            note = core.NoteAt(inXsave)!;
            Assert.Equal("zmm20 byte 16 (of 64)", ElfCoreFile.RegisterAt(note.Type, checked((int)(inXsave - note.DescriptorOffset))));

            List<RecoveredAesKey> recovered = AesKeyRecovery.Recover([.. registers.Select(n => n.Descriptor)], []);
            Assert.Contains(recovered, r => r.ConfirmedBlind && r.Key.AsSpan().SequenceEqual(key) && r.Region == 0 && r.Round == 5);
            Assert.Contains(recovered, r => r.ConfirmedBlind && r.Key.AsSpan().SequenceEqual(key) && r.Region == 1 && r.Round == 9);
            Assert.All(recovered, r => Assert.True(r.Key.AsSpan().SequenceEqual(key), "the recovery confirmed a key that was not planted"));

            string clean = Path.Combine(directory, "clean.core");
            File.WriteAllBytes(clean, SyntheticCore(4243, 0x7f00_0000_2000, RandomNumberGenerator.GetBytes(512), RandomNumberGenerator.GetBytes(2696)));
            ElfCoreFile cleanCore = ElfCoreFile.Read(clean);
            Assert.Empty(AesKeyRecovery.Recover([.. cleanCore.RegisterNotes.Select(n => n.Descriptor)], []));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    /// <summary>
    /// The one-pass search finds exactly what a plain search for each pattern finds, across its zero-run skipping:
    /// patterns among zero pages and random bytes, at the very start and end of the file, a broadcast pattern whose
    /// 4x form occurs five times overlapping inside its 8x form, and one that itself starts with zeros (which turns
    /// the skipping off).
    /// </summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void The_one_pass_search_finds_what_a_plain_search_finds(bool withZeroPrefixedPattern)
    {
        byte[] file = new byte[1 << 20];
        RandomNumberGenerator.Fill(file.AsSpan(0, 4096));
        RandomNumberGenerator.Fill(file.AsSpan(300_000, 70_000));
        List<byte[]> patterns = [.. Enumerable.Range(0, 8).Select(i => RandomNumberGenerator.GetBytes(16 + (7 * i)))];
        byte[] word = RandomNumberGenerator.GetBytes(4);
        patterns.Add([.. Enumerable.Repeat(word, 4).SelectMany(w => w)]);
        patterns.Add([.. Enumerable.Repeat(word, 8).SelectMany(w => w)]);
        if (withZeroPrefixedPattern)
        {
            patterns.Add([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]);
        }

        int[] places = [0, 100, 4000, 65_530, 300_001, 400_003, 500_000, 777_777];
        for (int p = 0; p < 8; p++)
        {
            patterns[p].CopyTo(file, places[p]);
        }

        patterns[7].CopyTo(file, file.Length - patterns[7].Length);
        patterns[9].CopyTo(file, 950_000);
        if (withZeroPrefixedPattern)
        {
            patterns[10].CopyTo(file, 900_000);
        }

        string directory = Directory.CreateTempSubdirectory("ama-key-hygiene-search-").FullName;
        try
        {
            string path = Path.Combine(directory, "file.bin");
            File.WriteAllBytes(path, file);
            List<long>[] found = MultiPatternSearch.FindAll(path, patterns);
            for (int p = 0; p < patterns.Count; p++)
            {
                Assert.True(found[p].Count >= 1, $"planted pattern {p} was not found");
                Assert.Equal(DumpHarness.CountOccurrences(path, patterns[p]), found[p].Count);
                Assert.All(found[p], offset => Assert.True(file.AsSpan(checked((int)offset), patterns[p].Length).SequenceEqual(patterns[p])));
            }

            Assert.Equal(2, found[7].Count);
            Assert.Equal(5, found[8].Count(o => o >= 950_000 && o < 950_000 + 32));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private static void RequireTool(DumpKind kind) => _ = kind == DumpKind.Gcore ? Tools.Require("gcore") : DumpHarness.CreatedumpPath;

    private static string Name(KeyHygieneDump dump, byte[] key) =>
        key.AsSpan().SequenceEqual(dump.Values.Key("aes-gcm")) ? "the long-lived SecureAesGcm key (aes-gcm)" : "the per-request SecureAesGcm key (request-aes-gcm)";

    private static string RegisterOf(KeyHygieneDump dump, RecoveredAesKey key) =>
        ElfCoreFile.RegisterAt(
            dump.RegisterNoteNames[key.Region].StartsWith("NT_X86_XSTATE", StringComparison.Ordinal) ? ElfCoreFile.NtX86XState : ElfCoreFile.NtPrFpReg,
            key.Offset);

    /// <summary>
    /// An ELF64 core file as gcore lays it out: the header, a PT_NOTE and a PT_LOAD program header, one thread's
    /// NT_PRSTATUS (pid and rsp), NT_PRFPREG (the FXSAVE area) and NT_X86_XSTATE, then one page of memory.
    /// </summary>
    private static byte[] SyntheticCore(int thread, ulong stackPointer, byte[] fxsave, byte[] xsave)
    {
        byte[] prstatus = new byte[336];
        BinaryPrimitives.WriteInt32LittleEndian(prstatus.AsSpan(32), thread);
        BinaryPrimitives.WriteUInt64LittleEndian(prstatus.AsSpan(112 + (19 * 8)), stackPointer);
        byte[] notes = [.. Note("CORE", ElfCoreFile.NtPrStatus, prstatus), .. Note("CORE", ElfCoreFile.NtPrFpReg, fxsave), .. Note("LINUX", ElfCoreFile.NtX86XState, xsave)];
        const int HeadersSize = 64 + (2 * 56);
        byte[] file = new byte[HeadersSize + notes.Length + 4096];
        "\x7F"u8.CopyTo(file);
        "ELF"u8.CopyTo(file.AsSpan(1));
        file[4] = 2;
        file[5] = 1;
        file[6] = 1;
        BinaryPrimitives.WriteUInt16LittleEndian(file.AsSpan(16), 4);
        BinaryPrimitives.WriteUInt16LittleEndian(file.AsSpan(18), 62);
        BinaryPrimitives.WriteUInt32LittleEndian(file.AsSpan(20), 1);
        BinaryPrimitives.WriteUInt64LittleEndian(file.AsSpan(0x20), 64);
        BinaryPrimitives.WriteUInt16LittleEndian(file.AsSpan(0x34), 64);
        BinaryPrimitives.WriteUInt16LittleEndian(file.AsSpan(0x36), 56);
        BinaryPrimitives.WriteUInt16LittleEndian(file.AsSpan(0x38), 2);
        ProgramHeader(file.AsSpan(64), ElfCoreFile.PtNote, HeadersSize, 0, notes.Length);
        ProgramHeader(file.AsSpan(64 + 56), ElfCoreFile.PtLoad, HeadersSize + notes.Length, stackPointer & ~0xFFFUL, 4096);
        notes.CopyTo(file, HeadersSize);
        return file;
    }

    private static void ProgramHeader(Span<byte> entry, uint type, long offset, ulong address, long size)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(entry, type);
        BinaryPrimitives.WriteUInt64LittleEndian(entry[8..], (ulong)offset);
        BinaryPrimitives.WriteUInt64LittleEndian(entry[16..], address);
        BinaryPrimitives.WriteUInt64LittleEndian(entry[32..], (ulong)size);
        BinaryPrimitives.WriteUInt64LittleEndian(entry[40..], (ulong)size);
    }

    private static byte[] Note(string name, uint type, byte[] descriptor)
    {
        int nameSize = name.Length + 1;
        byte[] note = new byte[12 + Align4(nameSize) + Align4(descriptor.Length)];
        BinaryPrimitives.WriteInt32LittleEndian(note, nameSize);
        BinaryPrimitives.WriteInt32LittleEndian(note.AsSpan(4), descriptor.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(note.AsSpan(8), type);
        System.Text.Encoding.ASCII.GetBytes(name).CopyTo(note, 12);
        descriptor.CopyTo(note, 12 + Align4(nameSize));
        return note;
    }

    private static int Align4(int value) => (value + 3) & ~3;
}
