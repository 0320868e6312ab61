using System.Globalization;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Ama.Cryptography.Tests.SecureMemoryFunctions;

/// <summary>Reads /proc/self/smaps: the kernel's own account of which mappings are locked.</summary>
public static class Smaps
{
    public static nint PageSize => Environment.SystemPageSize;

    /// <summary>The Size and Locked fields (in kB) of the mapping that holds <paramref name="address"/>.</summary>
    public static (long SizeKb, long LockedKb) MappingOf(nint address)
    {
        bool inside = false;
        long size = -1;
        foreach (string line in File.ReadLines("/proc/self/smaps"))
        {
            if (TryParseRange(line, out nint start, out nint end))
            {
                if (inside)
                {
                    break;
                }

                inside = address >= start && address < end;
                continue;
            }

            if (inside && line.StartsWith("Size:", StringComparison.Ordinal))
            {
                size = Kilobytes(line);
            }
            else if (inside && line.StartsWith("Locked:", StringComparison.Ordinal))
            {
                return (size, Kilobytes(line));
            }
        }

        throw new InvalidOperationException($"No mapping with a Locked field holds 0x{address:x}.");
    }

    /// <summary>Whether the page that holds <paramref name="address"/> is locked: mlock splits mappings, so a locked page's mapping is locked whole.</summary>
    public static bool IsLocked(nint address)
    {
        (long size, long locked) = MappingOf(address);
        return locked > 0 && locked == size;
    }

    public static bool IsUnlocked(nint address) => MappingOf(address).LockedKb == 0;

    public static unsafe nint AddressOf(byte[] array) => (nint)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(array));

    public static nint PageOf(nint address) => address & ~(PageSize - 1);

    private static bool TryParseRange(string line, out nint start, out nint end)
    {
        start = end = 0;
        int dash = line.IndexOf('-', StringComparison.Ordinal);
        int space = line.IndexOf(' ', StringComparison.Ordinal);
        return dash > 0 && space > dash
            && long.TryParse(line.AsSpan(0, dash), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out long s)
            && long.TryParse(line.AsSpan(dash + 1, space - dash - 1), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out long e)
            && (start = (nint)s) >= 0 && (end = (nint)e) > 0;
    }

    private static long Kilobytes(string line) =>
        long.Parse(line.AsSpan(line.IndexOf(':', StringComparison.Ordinal) + 1).Trim().TrimEnd("kB").Trim(), CultureInfo.InvariantCulture);
}
