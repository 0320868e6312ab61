using System.Diagnostics;
using System.Runtime.CompilerServices;

namespace Ama.Cli.Bench;

/// <summary>
/// Measures operations in batches after a warm-up long enough for tiered compilation to install
/// optimised code. A rough in-process look, not a measurement to quote: BenchmarkDotNet in bench/ does that.
/// </summary>
internal sealed class BenchRunner(TimeSpan warmUp, int batches, TimeSpan batchTarget)
{
    internal static BenchRunner Quick { get; } = new(TimeSpan.FromMilliseconds(150), 5, TimeSpan.FromMilliseconds(4));

    internal static BenchRunner Full { get; } = new(TimeSpan.FromMilliseconds(600), 15, TimeSpan.FromMilliseconds(10));

    /// <summary>Warms and measures one operation; returns nanoseconds per call.</summary>
    internal double Measure(Action operation)
    {
        WarmUp(operation);
        long iterations = Calibrate(operation);
        var samples = new double[batches];
        for (int i = 0; i < batches; i++)
        {
            samples[i] = TimeBatch(operation, iterations).TotalNanoseconds / iterations;
        }

        Array.Sort(samples);
        return samples[samples.Length / 2];
    }

    /// <summary>
    /// The tiering background thread promotes hot methods after a delay (100 ms by default), so the
    /// warm-up runs in two rounds with a pause between them rather than one tight loop.
    /// </summary>
    private void WarmUp(Action operation)
    {
        RunFor(operation, warmUp / 2);
        Thread.Sleep(120);
        RunFor(operation, warmUp / 2);
    }

    private static void RunFor(Action operation, TimeSpan duration)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < duration)
        {
            _ = TimeBatch(operation, 64);
        }
    }

    private long Calibrate(Action operation)
    {
        long iterations = 16;
        while (TimeBatch(operation, iterations) < batchTarget && iterations < (1L << 30))
        {
            iterations *= 2;
        }

        return iterations;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static TimeSpan TimeBatch(Action operation, long iterations)
    {
        long start = Stopwatch.GetTimestamp();
        for (long i = 0; i < iterations; i++)
        {
            operation();
        }

        return Stopwatch.GetElapsedTime(start);
    }
}
