using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;

namespace Ama.Cryptography.Hosting.Internal;

/// <summary>
/// Erases a variable's value from the environment block the kernel set up at exec, which is what
/// /proc/PID/environ shows for the life of the process. Any process of the same user can read that
/// file (Yama's ptrace_scope restricts /proc/PID/mem, not environ), and tools read it freely
/// (<c>ps e</c>, monitoring agents, crash reporters). Linux only; elsewhere nothing is done.
/// </summary>
internal static class InitialEnvironment
{
    /// <summary>Fields 50 and 51 of /proc/self/stat (Linux 3.5 and later): the block's start and end addresses.</summary>
    private const int EnvStartField = 50;

    /// <summary>
    /// Overwrites with zeros the value of every <c>name=value</c> entry of the block; the name is
    /// kept, so the variable shows as present and empty. Returns the number of bytes zeroed.
    /// </summary>
    internal static int EraseValue(string name)
    {
        if (!OperatingSystem.IsLinux() || !TryGetBlock(out long start, out long end) || !IsWritable(start, end))
        {
            return 0;
        }

        byte[] prefix = Encoding.UTF8.GetBytes(name + "=");
        int zeroed = 0;
        long entry = start;
        while (entry < end)
        {
            long next = EndOfEntry(entry, end);
            if (StartsWith(entry, next, prefix))
            {
                zeroed += Zero(entry + prefix.Length, next);
            }

            entry = next + 1;
        }

        return zeroed;
    }

    /// <summary>Reads the block's bounds from /proc/self/stat; the command name (field 2) may hold spaces and parentheses, so fields are counted after its last ')'.</summary>
    private static bool TryGetBlock(out long start, out long end)
    {
        start = end = 0;
        string stat;
        try
        {
            stat = File.ReadAllText("/proc/self/stat");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }

        string[] fields = stat[(stat.LastIndexOf(')') + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        int first = EnvStartField - 3; // fields[0] is field 3, the state
        return fields.Length > first + 1
            && long.TryParse(fields[first], NumberStyles.None, CultureInfo.InvariantCulture, out start)
            && long.TryParse(fields[first + 1], NumberStyles.None, CultureInfo.InvariantCulture, out end)
            && start > 0 && end > start;
    }

    /// <summary>
    /// Whether the block lies inside one readable and writable mapping (the main thread's stack),
    /// so that no byte outside a mapping is ever touched, whatever the bounds say.
    /// </summary>
    private static bool IsWritable(long start, long end)
    {
        try
        {
            foreach (string line in File.ReadLines("/proc/self/maps"))
            {
                // "7ffc1000-7ffc3000 rw-p 00000000 00:00 0   [stack]"
                int dash = line.IndexOf('-', StringComparison.Ordinal);
                int space = line.IndexOf(' ', StringComparison.Ordinal);
                if (dash <= 0 || space <= dash
                    || !long.TryParse(line.AsSpan(0, dash), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out long low)
                    || !long.TryParse(line.AsSpan(dash + 1, space - dash - 1), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out long high))
                {
                    continue;
                }

                if (low <= start && end <= high)
                {
                    return line.AsSpan(space + 1).StartsWith("rw", StringComparison.Ordinal);
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }

        return false;
    }

    private static long EndOfEntry(long entry, long end)
    {
        long at = entry;
        while (at < end && Marshal.ReadByte((nint)at) != 0)
        {
            at++;
        }

        return at;
    }

    private static bool StartsWith(long entry, long next, byte[] prefix)
    {
        if (next - entry < prefix.Length)
        {
            return false;
        }

        for (int i = 0; i < prefix.Length; i++)
        {
            if (Marshal.ReadByte((nint)(entry + i)) != prefix[i])
            {
                return false;
            }
        }

        return true;
    }

    private static int Zero(long from, long to)
    {
        for (long at = from; at < to; at++)
        {
            Marshal.WriteByte((nint)at, 0);
        }

        return checked((int)(to - from));
    }
}
