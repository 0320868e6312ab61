using System.Globalization;
using Ama.Cryptography.Interop;

namespace Ama.Cryptography.Memory;

/// <summary>One mapping of /proc/PID/smaps: its range, backing path and VmFlags.</summary>
/// <param name="Start">The first address.</param>
/// <param name="End">The address one past the last byte.</param>
/// <param name="Path">The backing file or pseudo-path (<c>/secretmem (deleted)</c> for memfd_secret), empty for anonymous memory.</param>
/// <param name="VmFlags">The two-letter flags of the VmFlags line.</param>
internal sealed record SmapsMapping(ulong Start, ulong End, string Path, IReadOnlySet<string> VmFlags)
{
    /// <summary>Gets whether the kernel holds the mapping locked (VM_LOCKED, "lo").</summary>
    internal bool IsLocked => VmFlags.Contains("lo");

    /// <summary>Gets whether the mapping is left out of core dumps (VM_DONTDUMP, "dd").</summary>
    internal bool IsDontDump => VmFlags.Contains("dd");

    /// <summary>Gets whether the mapping is memfd_secret memory, which the kernel names /secretmem.</summary>
    internal bool IsSecretMemory => Path.StartsWith("/secretmem", StringComparison.Ordinal);

    internal bool Contains(ulong address) => address >= Start && address < End;
}

/// <summary>
/// Finds the mapping that holds an address in /proc/self/smaps, so the self-test can see what
/// the kernel really did with a buffer rather than what the allocator believes it did.
/// </summary>
internal static class SmapsReader
{
    internal const string SelfPath = "/proc/self/smaps";

    internal static bool IsAvailable => Platform.IsLinux && File.Exists(SelfPath);

    /// <summary>Reads this process's smaps; <see langword="null"/> when no mapping holds <paramref name="address"/>.</summary>
    internal static SmapsMapping? FindSelf(nint address) => Find(File.ReadLines(SelfPath), unchecked((ulong)address));

    /// <summary>Parses smaps text; <see langword="null"/> when no mapping holds <paramref name="address"/>.</summary>
    internal static SmapsMapping? Find(IEnumerable<string> lines, ulong address)
    {
        ArgumentNullException.ThrowIfNull(lines);
        (ulong Start, ulong End, string Path)? current = null;
        foreach (string line in lines)
        {
            if (TryParseHeader(line, out ulong start, out ulong end, out string path))
            {
                current = start <= address && address < end ? (start, end, path) : null;
            }
            else if (current is { } found && line.StartsWith("VmFlags:", StringComparison.Ordinal))
            {
                var flags = line["VmFlags:".Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries).ToHashSet(StringComparer.Ordinal);
                return new SmapsMapping(found.Start, found.End, found.Path, flags);
            }
        }

        // A kernel without VmFlags (before 3.8) still tells us the mapping exists.
        return current is { } last ? new SmapsMapping(last.Start, last.End, last.Path, new HashSet<string>()) : null;
    }

    /// <summary>Parses "start-end perms offset dev inode [path]"; field lines ("Rss:  4 kB") never match.</summary>
    private static bool TryParseHeader(string line, out ulong start, out ulong end, out string path)
    {
        start = end = 0;
        path = string.Empty;
        string[] fields = line.Split(' ', 6, StringSplitOptions.RemoveEmptyEntries);
        if (fields.Length < 5)
        {
            return false;
        }

        int dash = fields[0].IndexOf('-', StringComparison.Ordinal);
        if (dash <= 0
            || !ulong.TryParse(fields[0].AsSpan(0, dash), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out start)
            || !ulong.TryParse(fields[0].AsSpan(dash + 1), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out end))
        {
            return false;
        }

        path = fields.Length == 6 ? fields[5].Trim() : string.Empty;
        return true;
    }
}
