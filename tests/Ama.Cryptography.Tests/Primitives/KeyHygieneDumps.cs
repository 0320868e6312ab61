using System.Globalization;
using Ama.Cryptography.Tests.Infrastructure;

namespace Ama.Cryptography.Tests.Primitives;

/// <summary>
/// Runs the key-hygiene consumer once per mode and dump kind, dumps it with the real tool, and keeps what the tests
/// need from the dump: where every value was found, and the register notes. The value search and the blind key
/// recovery thus share one dump, and the dump file, up to a gigabyte, is deleted as soon as it has been read.
/// </summary>
public sealed class KeyHygieneDumps : IDisposable
{
    /// <summary>More request threads than the 11 of the issue's consumer; one per operation, so each parks after a different one.</summary>
    public const int Workers = 13;

    /// <summary>Rounds of every operation per thread: enough calls for tier-1 code and on-stack replacement of the loops.</summary>
    public const int Iterations = 1000;

    /// <summary>The negative control: the parked consumer run with AMA_SCRUB=off.</summary>
    public const string UnscrubbedMode = "parked-unscrubbed";

    private const int LocationsPerValue = 6;
    private readonly string directory = Directory.CreateTempSubdirectory("ama-key-hygiene-").FullName;
    private readonly Dictionary<(string, DumpKind), KeyHygieneDump> dumps = [];
    private readonly Lock gate = new();

    public KeyHygieneDump Get(string mode, DumpKind kind)
    {
        lock (gate)
        {
            if (!dumps.TryGetValue((mode, kind), out KeyHygieneDump? dump))
            {
                dumps[(mode, kind)] = dump = Take(mode, kind);
            }

            return dump;
        }
    }

    public void Dispose() => Directory.Delete(directory, recursive: true);

    private KeyHygieneDump Take(string mode, DumpKind kind)
    {
        // The control mode is the parked consumer with scrubbing switched off, as on a platform without the stub.
        bool control = mode == UnscrubbedMode;
        System.Diagnostics.ProcessStartInfo info = TestHost.StartInfo("keyhygiene-consumer", [control ? "parked" : mode, Text(Workers), Text(Iterations)]);
        if (control)
        {
            info.Environment["AMA_SCRUB"] = "off";
        }

        using TestHost host = TestHost.Start(info);
        var values = new KeyHygieneValues(ReadUntilReady(host));
        values.AssertPrintedKeysAreTheKeysInUse();
        int pid = host.Process.Id;
        Dictionary<int, string> threadNames = ThreadNames(pid);
        string path = DumpHarness.Dump(pid, kind, directory);
        try
        {
            List<(ulong Start, ulong End, string Name)> maps = Maps(pid);
            host.Process.StandardInput.WriteLine("exit");
            return Analyse(mode, kind, path, values, threadNames, maps);
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static KeyHygieneDump Analyse(
        string mode, DumpKind kind, string path, KeyHygieneValues values, Dictionary<int, string> threadNames, List<(ulong Start, ulong End, string Name)> maps)
    {
        ElfCoreFile core = ElfCoreFile.Read(path);
        IReadOnlyList<KeyEquivalent> secrets = values.Secrets();
        IReadOnlyList<KeyEquivalent> controls = values.Controls();
        KeyEquivalent[] all = [.. secrets, .. controls];
        List<long>[] offsets = MultiPatternSearch.FindAll(path, [.. all.Select(v => v.Bytes)]);
        List<(int Thread, ulong StackPointer)> threads = [.. core.Notes.Where(n => n.Type == ElfCoreFile.NtPrStatus).Select(n => (n.ThreadId, n.StackPointer))];
        string ThreadName(int thread) => string.Create(
            CultureInfo.InvariantCulture, $"thread {thread} ({threadNames.GetValueOrDefault(thread, "?")})");

        string Locate(long offset)
        {
            string at = string.Create(CultureInfo.InvariantCulture, $"file offset 0x{offset:x}");
            if (core.NoteAt(offset) is ElfNote note)
            {
                int inNote = checked((int)(offset - note.DescriptorOffset));
                return $"{at}, inside PT_NOTE: {ElfCoreFile.NoteTypeName(note.Type)} of {ThreadName(note.ThreadId)}, {ElfCoreFile.RegisterAt(note.Type, inNote)}";
            }

            if (core.IsInNoteSegment(offset))
            {
                return $"{at}, inside PT_NOTE but in no note's descriptor";
            }

            if (core.LoadAt(offset) is not ElfSegment segment)
            {
                return $"{at}, outside PT_NOTE and every PT_LOAD";
            }

            ulong address = segment.AddressOf(offset);
            (ulong start, ulong end, string name) = maps.FirstOrDefault(m => address >= m.Start && address < m.End);
            string where = name switch
            {
                null => "unmapped now",
                "" => "anonymous mapping",
                _ => name,
            };
            foreach ((int thread, ulong stackPointer) in threads)
            {
                if (name is not null && stackPointer >= start && stackPointer < end)
                {
                    string side = address < stackPointer
                        ? string.Create(CultureInfo.InvariantCulture, $"{stackPointer - address} bytes below its stack pointer (dead stack)")
                        : string.Create(CultureInfo.InvariantCulture, $"{address - stackPointer} bytes above its stack pointer (live frames)");
                    where = $"stack of {ThreadName(thread)}, {side}";
                }
            }

            return string.Create(CultureInfo.InvariantCulture, $"{at}, not in PT_NOTE: address 0x{address:x}, {where}");
        }

        var found = new List<KeyHygieneFinding>();
        for (int i = 0; i < all.Length; i++)
        {
            int inNotes = offsets[i].Count(core.IsInNoteSegment);
            found.Add(new KeyHygieneFinding(all[i], offsets[i].Count, inNotes, [.. offsets[i].Take(LocationsPerValue).Select(Locate)]));
        }

        List<ElfNote> registerNotes = [.. core.RegisterNotes];
        return new KeyHygieneDump(
            mode,
            kind,
            values,
            found[..secrets.Count],
            found[secrets.Count..],
            [.. registerNotes.Select(n => n.Descriptor)],
            [.. registerNotes.Select(n => $"{ElfCoreFile.NoteTypeName(n.Type)} of {ThreadName(n.ThreadId)}")],
            threads.Count,
            registerNotes.Count(n => n.Type == ElfCoreFile.NtX86XState));
    }

    /// <summary>Reads the consumer's lines up to "ready"; the deadline only bounds a failing run.</summary>
    private static List<string> ReadUntilReady(TestHost host)
    {
        var lines = new List<string>();
        DateTime deadline = DateTime.UtcNow + TimeSpan.FromMinutes(3);
        while (true)
        {
            Task<string?> read = host.Process.StandardOutput.ReadLineAsync();
            TimeSpan left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero || !read.Wait(left))
            {
                throw new TimeoutException("The key-hygiene consumer did not print 'ready' in time.");
            }

            if (read.Result is not string line)
            {
                host.Process.WaitForExit(5000);
                throw new InvalidOperationException($"The key-hygiene consumer exited ({host.Process.ExitCode}) before 'ready'. stderr: {host.Process.StandardError.ReadToEnd()}");
            }

            if (line == "ready")
            {
                Assert.Contains(Text(Workers), lines.Single(l => l.StartsWith("parked ", StringComparison.Ordinal)), StringComparison.Ordinal);
                return lines;
            }

            lines.Add(line);
        }
    }

    /// <summary>The name of every thread of the consumer (the workers are hyg-worker-NN), to say whose registers or stack held a value.</summary>
    private static Dictionary<int, string> ThreadNames(int pid)
    {
        var names = new Dictionary<int, string>();
        foreach (string task in Directory.EnumerateDirectories($"/proc/{pid}/task"))
        {
            try
            {
                names[int.Parse(Path.GetFileName(task), CultureInfo.InvariantCulture)] = File.ReadAllText(Path.Combine(task, "comm")).Trim();
            }
            catch (IOException)
            {
                // A runtime thread that ended meanwhile has no name to give.
            }
        }

        return names;
    }

    /// <summary>The consumer's mappings, to name the memory a value was found in ([heap], a library, an anonymous mapping).</summary>
    private static List<(ulong Start, ulong End, string Name)> Maps(int pid)
    {
        var maps = new List<(ulong, ulong, string)>();
        foreach (string line in File.ReadAllLines($"/proc/{pid}/maps"))
        {
            string[] fields = line.Split(' ', 6, StringSplitOptions.RemoveEmptyEntries);
            string[] range = fields[0].Split('-');
            string name = fields.Length == 6 ? fields[5].Trim() : string.Empty;
            maps.Add((
                ulong.Parse(range[0], NumberStyles.HexNumber, CultureInfo.InvariantCulture),
                ulong.Parse(range[1], NumberStyles.HexNumber, CultureInfo.InvariantCulture),
                name.StartsWith('/') ? Path.GetFileName(name) : name));
        }

        return maps;
    }

    private static string Text(int value) => value.ToString(CultureInfo.InvariantCulture);
}
