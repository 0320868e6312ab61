using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using Ama.Cryptography;
using Ama.Cryptography.Tests.Infrastructure;

namespace Ama.TestHost;

/// <summary>Child-process scenarios for the allocator's limits: huge buffers, fork, the mapping budget.</summary>
internal static class AllocScenarios
{
    internal static Task<int> RunAsync(string scenario, string[] args) => Task.FromResult(scenario switch
    {
        "alloc-huge" => Huge(args),
        "alloc-fork" => Fork(args),
        "alloc-mappings" => Mappings(args),
        "alloc-degraded" => Degraded(args),
        _ => Unknown(scenario),
    });

    /// <summary>
    /// Times allocating, optionally filling, and disposing one buffer. Args: size source fill(true|false).
    /// Required policy: an unlocked fallback of this size would be faulted in, gigabytes of RAM, by the wipe.
    /// </summary>
    private static int Huge(string[] args)
    {
        int size = int.Parse(args[0], CultureInfo.InvariantCulture);
        var options = new SecureBufferOptions { Source = Enum.Parse<SecureMemorySource>(args[1]), LockPolicy = MemoryLockPolicy.Required };
        bool fill = bool.Parse(args[2]);
        var clock = Stopwatch.StartNew();
        var buffer = new SecureBuffer(size, options);
        Console.WriteLine($"ALLOCATE {clock.Elapsed.TotalSeconds:F3} s {buffer}");
        if (fill)
        {
            clock.Restart();
            buffer.Span.Fill(0xA5);
            Console.WriteLine($"FILL {clock.Elapsed.TotalSeconds:F3} s");
        }

        clock.Restart();
        buffer.Dispose();
        Console.WriteLine($"DISPOSE {clock.Elapsed.TotalSeconds:F3} s");
        return 0;
    }

    /// <summary>
    /// Fills a buffer (or a control) with a pattern, forks through the native helper, and prints
    /// what the child found there and whether the parent's bytes survived the child's overwrite.
    /// Args: helperLibrary case; the cases are in <see cref="ForkSubject"/>.
    /// </summary>
    private static unsafe int Fork(string[] args)
    {
        nint helper = NativeLibrary.Load(args[0]);
        var forkProbe = (delegate* unmanaged<nint, nuint, int>)NativeLibrary.GetExport(helper, "fork_probe");
        var mapShared = (delegate* unmanaged<nuint, nint>)NativeLibrary.GetExport(helper, "map_shared_control");
        using ForkSubject subject = ForkSubject.Create(args[1], mapShared);
        Pattern.Fill(subject.Bytes, 11);
        Console.WriteLine($"SUBJECT {subject.Description}");
        int child = forkProbe(subject.Address, (nuint)subject.Bytes.Length);
        Console.WriteLine($"CHILD {ForkOutcome(child)}");
        byte[] expected = new byte[subject.Bytes.Length];
        Pattern.Fill(expected, 11);
        Console.WriteLine($"PARENT {(subject.Bytes.SequenceEqual(expected) ? "intact" : "overwritten")}");
        return 0;
    }

    /// <summary>
    /// Allocates guarded buffers of 2,000 bytes until the count is reached or the allocator
    /// refuses, keeping them live or dropping them undisposed, and reports how far it got.
    /// Args: count live|leak.
    /// </summary>
    private static int Mappings(string[] args)
    {
        int count = int.Parse(args[0], CultureInfo.InvariantCulture);
        bool keep = args[1] == "live";
        var live = new List<SecureBuffer>();
        int allocated = 0;
        try
        {
            for (; allocated < count; allocated++)
            {
                var buffer = new SecureBuffer(2000);
                buffer.Span[0] = 1;
                if (keep)
                {
                    live.Add(buffer);
                }
            }
        }
        catch (SecureMemoryException e)
        {
            Console.WriteLine($"THREW {e.NativeErrorCode}: {e.Message}");
        }

        Console.WriteLine($"ALLOCATED {allocated}");
        Console.WriteLine($"MAPS {File.ReadAllLines("/proc/self/maps").Length}");

        // The runtime must still work after the allocator stopped: a GC, a thread, a new array.
        GC.Collect();
        GC.WaitForPendingFinalizers();
        var thread = new Thread(() => Console.WriteLine($"THREAD ok {new byte[1 << 20].Length}"));
        thread.Start();
        thread.Join();
        foreach (SecureBuffer buffer in live)
        {
            buffer.Dispose();
        }

        Console.WriteLine("END");
        return 0;
    }

    /// <summary>
    /// Grows to args[0] live 32-byte BestEffort buffers (run under a tiny RLIMIT_MEMLOCK) and
    /// reports where the last one came from and how many exceptions were thrown along the way,
    /// caught or not: a degraded allocation must not fail and throw internally every time.
    /// </summary>
    private static int Degraded(string[] args)
    {
        int count = int.Parse(args[0], CultureInfo.InvariantCulture);
        int exceptions = 0;
        AppDomain.CurrentDomain.FirstChanceException += (_, _) => Interlocked.Increment(ref exceptions);
        var live = new List<SecureBuffer>(count);
        for (int i = 0; i < count; i++)
        {
            live.Add(new SecureBuffer(32));
        }

        SecureBuffer last = live[^1];
        Console.WriteLine($"LAST {last.Source} locked={last.IsLocked}");
        Console.WriteLine($"FIRST {live[0].Source} locked={live[0].IsLocked}");
        Console.WriteLine($"DEGRADED {SecureMemory.GetStatus().DegradedAllocations}");
        Console.WriteLine($"EXCEPTIONS {exceptions}");
        foreach (SecureBuffer buffer in live)
        {
            buffer.Dispose();
        }

        return 0;
    }

    private static string ForkOutcome(int status) => status switch
    {
        10 => "unmapped",
        11 => "zero",
        12 => "data",
        13 => "faults",
        _ => $"error {status}",
    };

    private static int Unknown(string scenario)
    {
        Console.Error.WriteLine($"unknown scenario '{scenario}'");
        return 64;
    }
}
