namespace Ama.Cli.Bench;

/// <summary>One row of the benchmark: an operation done by this library and by its BCL baseline.</summary>
/// <param name="Name">The operation, e.g. "compare 32 B".</param>
/// <param name="Baseline">What the baseline is, e.g. "FixedTimeEquals".</param>
/// <param name="Library">One call of the library's operation.</param>
/// <param name="BaselineOperation">One call of the baseline.</param>
internal sealed record BenchCase(string Name, string Baseline, Action Library, Action BaselineOperation);

/// <summary>The measured result of one row, in nanoseconds per operation (medians of several batches).</summary>
internal sealed record BenchResult(string Name, string Baseline, double LibraryNanoseconds, double BaselineNanoseconds)
{
    /// <summary>Gets how many times faster the library is than the baseline (below 1: slower).</summary>
    public double Speedup => BaselineNanoseconds / LibraryNanoseconds;
}
