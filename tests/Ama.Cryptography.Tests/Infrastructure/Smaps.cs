using System.Globalization;

namespace Ama.Cryptography.Tests.Infrastructure;

/// <summary>One mapping of /proc/PID/smaps: its range, name, Locked: size and VmFlags.</summary>
public sealed record SmapsEntry(ulong Start, ulong End, string Name, long LockedKb, IReadOnlyList<string> Flags)
{
    public bool Contains(ulong address) => address >= Start && address < End;

    /// <summary>Reads the mapping of <paramref name="pid"/> (or this process) that contains <paramref name="address"/>.</summary>
    public static SmapsEntry For(nint address, int? pid = null)
    {
        string path = pid is null ? "/proc/self/smaps" : $"/proc/{pid}/smaps";
        SmapsEntry? current = null;
        foreach (SmapsEntry entry in Read(path))
        {
            if (entry.Contains((ulong)address))
            {
                current = entry;
            }
        }

        return current ?? throw new InvalidOperationException($"No mapping contains 0x{address:x}.");
    }

    public static IEnumerable<SmapsEntry> Read(string path)
    {
        ulong start = 0, end = 0;
        string name = string.Empty;
        long locked = 0;
        foreach (string line in File.ReadAllLines(path))
        {
            if (line.StartsWith("Locked:", StringComparison.Ordinal))
            {
                locked = long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
            }
            else if (line.StartsWith("VmFlags:", StringComparison.Ordinal))
            {
                yield return new SmapsEntry(start, end, name, locked, line[8..].Split(' ', StringSplitOptions.RemoveEmptyEntries));
            }
            else if (IsHeader(line))
            {
                string[] parts = line.Split(' ', 6, StringSplitOptions.RemoveEmptyEntries);
                string[] range = parts[0].Split('-');
                start = ulong.Parse(range[0], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
                end = ulong.Parse(range[1], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
                name = parts.Length > 5 ? parts[5].Trim() : string.Empty;
                locked = 0;
            }
        }
    }

    private static readonly System.Buffers.SearchValues<char> RangeCharacters = System.Buffers.SearchValues.Create("0123456789abcdef-");

    private static bool IsHeader(string line)
    {
        int dash = line.IndexOf('-', StringComparison.Ordinal);
        int space = line.IndexOf(' ', StringComparison.Ordinal);
        return dash > 0 && space > dash && !line.AsSpan(0, space).ContainsAnyExcept(RangeCharacters);
    }
}
