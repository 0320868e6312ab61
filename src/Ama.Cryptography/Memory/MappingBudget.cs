using System.Globalization;
using Ama.Cryptography.Interop;

namespace Ama.Cryptography.Memory;

/// <summary>
/// Keeps the allocator's mappings inside the kernel's per-process limit (vm.max_map_count),
/// with headroom for the .NET runtime, and tells the GC how much native memory they hold.
/// </summary>
/// <remarks>
/// At the limit every mmap and many mprotect calls fail, the runtime's own included: it then
/// aborts with "Out of memory." or "Failed to create RW mapping". So the allocator stops early,
/// with an exception that names the limit, rather than letting the runtime hit it. The map
/// count is read from /proc/self/maps only now and then (it costs milliseconds with tens of
/// thousands of mappings); in between, each mapping is counted as the most VMAs it can take.
/// </remarks>
internal static class MappingBudget
{
    /// <summary>Overrides vm.max_map_count for this process: for tests, and for hosts whose limit is not readable.</summary>
    internal const string LimitVariable = "AMA_MAX_MAP_COUNT";

    /// <summary>The kernel's default vm.max_map_count, used when /proc/sys/vm/max_map_count cannot be read.</summary>
    internal const int DefaultLimit = 65530;

    // A guarded region is three VMAs (guard, data, guard); neighbouring guards often merge, so it is usually fewer.
    private const int GuardedMappings = 3;

    // The count is read again after this many mappings, to follow what the runtime maps meanwhile.
    private const int RemeasureEvery = 4096;

    private static readonly Lock Gate = new();
    private static readonly (int Limit, string Name) Configured = ReadLimit();
    private static int measuredCount = -1;
    private static int addedSinceMeasured;
    private static int changesSinceMeasured;

    internal static bool Enabled => Platform.IsLinux;

    internal static int Limit => Configured.Limit;

    /// <summary>Gets the mappings left to the runtime: an eighth of the limit, at least 512.</summary>
    internal static int Headroom => Math.Max(Limit / 8, 512);

    /// <summary>
    /// Counts a new mapping of <paramref name="length"/> usable bytes against the budget and the
    /// GC's memory pressure; throws the map-count exception when the budget is spent.
    /// </summary>
    internal static void Charge(nuint length, bool guarded)
    {
        if (Enabled)
        {
            Reserve(guarded ? GuardedMappings : 1);
        }

        GC.AddMemoryPressure(MappedBytes(length, guarded));
    }

    /// <summary>Undoes <see cref="Charge"/> once the mapping is gone (or was never made).</summary>
    internal static void Refund(nuint length, bool guarded)
    {
        if (Enabled)
        {
            lock (Gate)
            {
                addedSinceMeasured -= guarded ? GuardedMappings : 1;
                changesSinceMeasured++;
            }
        }

        GC.RemoveMemoryPressure(MappedBytes(length, guarded));
    }

    /// <summary>
    /// The exception for a failed mmap: the map-count one when ENOMEM came with the count at the
    /// limit (RLIMIT_MEMLOCK advice would send the operator the wrong way), else the ordinary one.
    /// </summary>
    internal static SecureMemoryException MapFailure(string source, nuint length, int errno)
    {
        const int ENOMEM = 12;
        return Enabled && errno == ENOMEM
            ? Classify(source, length, errno, CountMappings(), OsLimit())
            : Error.MapFailed(source, length, errno);
    }

    /// <summary>The decision of <see cref="MapFailure"/>, given the map count and the kernel's limit.</summary>
    internal static SecureMemoryException Classify(string source, nuint length, int errno, int count, int osLimit) =>
        errno == 12 && count >= osLimit - 64
            ? Error.MapCountExhausted(count, osLimit, "vm.max_map_count", Headroom)
            : Error.MapFailed(source, length, errno);

    /// <summary>Gets the number of lines in /proc/self/maps: one per VMA.</summary>
    internal static int CountMappings()
    {
        int lines = 0;
        using var maps = new FileStream("/proc/self/maps", FileMode.Open, FileAccess.Read, FileShare.ReadWrite, bufferSize: 1, FileOptions.SequentialScan);
        byte[] chunk = new byte[64 * 1024];
        int read;
        while ((read = maps.Read(chunk, 0, chunk.Length)) > 0)
        {
            lines += chunk.AsSpan(0, read).Count((byte)'\n');
        }

        return lines;
    }

    private static long MappedBytes(nuint length, bool guarded) =>
        (long)length + (guarded ? 2 * (long)PageSource.PageSize : 0);

    private static void Reserve(int mappings)
    {
        int allowed = Limit - Headroom;
        lock (Gate)
        {
            bool overBudget = measuredCount + addedSinceMeasured + mappings > allowed;

            // Over the estimate, read the real count, but only if anything changed since the last read.
            if (measuredCount < 0 || changesSinceMeasured >= RemeasureEvery || (overBudget && changesSinceMeasured > 0))
            {
                measuredCount = CountMappings();
                addedSinceMeasured = 0;
                changesSinceMeasured = 0;
            }

            if (measuredCount + addedSinceMeasured + mappings > allowed)
            {
                throw Error.MapCountExhausted(measuredCount + addedSinceMeasured, Limit, Configured.Name, Headroom);
            }

            addedSinceMeasured += mappings;
            changesSinceMeasured++;
        }
    }

    private static (int Limit, string Name) ReadLimit()
    {
        string? forced = Environment.GetEnvironmentVariable(LimitVariable);
        if (int.TryParse(forced, NumberStyles.None, CultureInfo.InvariantCulture, out int overridden) && overridden > 0)
        {
            return (overridden, LimitVariable);
        }

        return (OsLimit(), "vm.max_map_count");
    }

    private static int OsLimit()
    {
        try
        {
            string text = File.ReadAllText("/proc/sys/vm/max_map_count").Trim();
            return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int limit) && limit > 0 ? limit : DefaultLimit;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return DefaultLimit;
        }
    }
}
