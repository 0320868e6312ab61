using System.Diagnostics;
using System.Globalization;
using Ama.Cryptography.Benchmarks.Interop;

namespace Ama.Cryptography.Benchmarks;

/// <summary>
/// Issue 3: locked memory per live 32-byte buffer. Each allocator runs in a fresh child
/// process that holds 10,000 live buffers; the report is the growth of the kernel's own
/// counters over that process's baseline, divided by the number of buffers.
/// </summary>
/// <remarks>
/// Three counters are read, because they answer different questions: <c>VmLck</c> in
/// /proc/self/status is mm->locked_vm, charged per locked virtual page when a VM_LOCKED
/// mapping is made or mlocked (memfd_secret mappings are VM_LOCKED and charged at mmap time);
/// <c>Locked:</c> in /proc/self/smaps_rollup sums the resident pages of VM_LOCKED mappings;
/// the mapping count (lines of /proc/self/maps) is what runs into vm.max_map_count.
/// </remarks>
internal static unsafe class LockedMemoryReport
{
    internal const string Command = "locked-bytes";

    private const int Count = 10_000;
    private const int Size = 32;

    private static readonly string[] Subjects = ["ama", "ama-locked-pages", "ama-guarded", "sodium"];

    internal static int Run(string[] args)
    {
        if (args.Length > 1)
        {
            return MeasureInThisProcess(args[1]);
        }

        Console.WriteLine($"Live {Size}-byte buffers: {Count:N0} per process.");
        Console.WriteLine();
        Console.WriteLine("| Allocator | VmLck growth | per buffer | smaps Locked growth | per buffer | new mappings | all IsLocked |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|---|");
        int failures = 0;
        foreach (string subject in Subjects)
        {
            failures += RunChild(subject);
        }

        return failures;
    }

    private static int RunChild(string subject)
    {
        var start = new ProcessStartInfo(Environment.ProcessPath!) { RedirectStandardOutput = true, UseShellExecute = false };
        if (Path.GetFileNameWithoutExtension(Environment.ProcessPath!) == "dotnet")
        {
            start.ArgumentList.Add(typeof(LockedMemoryReport).Assembly.Location);
        }

        start.ArgumentList.Add(Command);
        start.ArgumentList.Add(subject);
        if (subject == "ama-locked-pages")
        {
            start.Environment["AMA_MEMORY_SOURCE"] = "locked";
        }

        using Process child = Process.Start(start)!;
        Console.Write(child.StandardOutput.ReadToEnd());
        child.WaitForExit();
        return child.ExitCode == 0 ? 0 : 1;
    }

    private static int MeasureInThisProcess(string subject)
    {
        Func<Holder> allocate = subject switch
        {
            "ama" => () => new ManagedHolder(new SecureBuffer(Size)),
            "ama-locked-pages" => () => new ManagedHolder(new SecureBuffer(Size)),
            "ama-guarded" => () => new ManagedHolder(new SecureBuffer(Size, new SecureBufferOptions { Guarded = true })),
            "sodium" => () => SodiumHolder.Allocate(),
            _ => throw new ArgumentException($"Unknown subject '{subject}'.", nameof(subject)),
        };

        // Warm up the allocator and the runtime so their one-time mappings are in the baseline.
        allocate().Dispose();
        Counters before = Counters.Read();
        var live = new List<Holder>(Count);
        for (int i = 0; i < Count; i++)
        {
            live.Add(allocate());
        }

        Counters after = Counters.Read();
        bool allLocked = live.TrueForAll(holder => holder.IsLocked);
        string label = subject == "sodium" ? "libsodium sodium_malloc" : $"SecureBuffer ({subject}: {live[0].Description})";
        long vmLck = after.VmLockedBytes - before.VmLockedBytes;
        long smapsLocked = after.SmapsLockedBytes - before.SmapsLockedBytes;
        Console.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"| {label} | {vmLck:N0} B | {(double)vmLck / Count:F1} B | {smapsLocked:N0} B | {(double)smapsLocked / Count:F1} B | {after.Mappings - before.Mappings:N0} | {(allLocked ? "yes" : "NO")} |"));
        foreach (Holder holder in live)
        {
            holder.Dispose();
        }

        return allLocked ? 0 : 1;
    }

    private abstract class Holder : IDisposable
    {
        public abstract bool IsLocked { get; }

        public abstract string Description { get; }

        public abstract void Dispose();
    }

    private sealed class ManagedHolder(SecureBuffer buffer) : Holder
    {
        public override bool IsLocked => buffer.IsLocked;

        public override string Description => buffer.ToString();

        public override void Dispose() => buffer.Dispose();
    }

    private sealed class SodiumHolder : Holder
    {
        private byte* pointer;

        private SodiumHolder(byte* pointer) => this.pointer = pointer;

        // libsodium gives no per-buffer answer; it locks when it can and carries on when it cannot.
        public override bool IsLocked => true;

        public override string Description => "sodium_malloc";

        public static SodiumHolder Allocate()
        {
            Sodium.EnsureInitialised();
            byte* pointer = Sodium.MallocOrThrow(Size);
            new Span<byte>(pointer, Size).Fill(0xA5);
            return new SodiumHolder(pointer);
        }

        public override void Dispose()
        {
            Sodium.Free(pointer);
            pointer = null;
        }
    }

    private readonly record struct Counters(long VmLockedBytes, long SmapsLockedBytes, int Mappings)
    {
        public static Counters Read() => new(
            KilobyteField("/proc/self/status", "VmLck:"),
            KilobyteField("/proc/self/smaps_rollup", "Locked:"),
            File.ReadAllLines("/proc/self/maps").Length);

        private static long KilobyteField(string path, string field)
        {
            foreach (string line in File.ReadLines(path))
            {
                if (line.StartsWith(field, StringComparison.Ordinal))
                {
                    string kilobytes = line[field.Length..].Trim().Split(' ')[0];
                    return long.Parse(kilobytes, CultureInfo.InvariantCulture) * 1024;
                }
            }

            throw new InvalidDataException($"{path} has no {field} line.");
        }
    }
}
