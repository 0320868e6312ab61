using System.Diagnostics;
using System.Runtime.CompilerServices;

namespace Ama.Cryptography.Tests.SecureMemoryFunctions;

/// <summary>A comparison whose timing is under test.</summary>
public delegate bool ByteComparison(ReadOnlySpan<byte> left, ReadOnlySpan<byte> right);

/// <summary>
/// A dudect-style leak detector (Reparaz, Balasch, Verbauwhede, "Dude, is my code constant
/// time?", 2017): time a comparison on a fixed class (the right input equals the left) and a
/// random class (the right input is random), interleaved in random order, and apply Welch's
/// t-test to the two timing distributions, once uncropped and once for each of several
/// percentile crops. The largest |t| is the round's verdict.
/// </summary>
/// <remarks>
/// Both classes are prepared the same way (random bytes are generated for every sample and one
/// copy writes either them or the fixed input into the sample's slot), and a whole block is
/// prepared before the block is timed. Preparing a sample just before timing it lets store
/// forwarding and cache state differ between the classes, which shows up as a false leak.
/// Each sample times several calls on the same inputs, so the clock's resolution and cost do
/// not drown the signal.
/// </remarks>
public sealed class Dudect(int length, int callsPerSample, int blocks = 64, int blockSize = 1024, int seed = 1)
{
    // dudect crops at 1 - 0.5^(10 (i+1) / N) percentiles; these are N = 20 of them, spread the same way.
    private static readonly double[] CropPercentiles = [.. Enumerable.Range(0, 20).Select(i => 1 - Math.Pow(0.5, 10.0 * (i + 1) / 20))];

    private readonly Random random = new(seed);
    private readonly byte[] fixedInput = MakeFixedInput(length, seed);
    private readonly byte[] scratch = new byte[length];
    private readonly byte[] slots = new byte[blockSize * length];
    private readonly byte[] blockClasses = new byte[blockSize];
    private readonly long[] times = new long[blocks * blockSize];
    private readonly byte[] classes = new byte[blocks * blockSize];
    private int sink;

    /// <summary>Gets the class means and crop of the last round's largest |t|, for the test output.</summary>
    public string LastDetail { get; private set; } = string.Empty;

    /// <summary>Runs up to <paramref name="rounds"/> rounds and returns the smallest round verdict, stopping early below <paramref name="stopBelow"/>.</summary>
    public double BestOf(ByteComparison compare, int rounds, double stopBelow, ITestOutputHelper? output = null)
    {
        WarmUp(compare);
        double best = double.PositiveInfinity;
        for (int round = 0; round < rounds && best >= stopBelow; round++)
        {
            double t = Round(compare);
            output?.WriteLine($"round {round}: max |t| = {t:F2} ({LastDetail})");
            best = Math.Min(best, t);
        }

        return best;
    }

    /// <summary>One round: every block prepared and then timed; returns the largest |t| over the crops.</summary>
    public double Round(ByteComparison compare)
    {
        for (int block = 0; block < blocks; block++)
        {
            PrepareBlock();
            TimeBlock(compare, block * blockSize);
        }

        return MaxAbsT();
    }

    private static byte[] MakeFixedInput(int length, int seed)
    {
        byte[] input = new byte[length];
        new Random(seed ^ 0x5EED).NextBytes(input);
        return input;
    }

    private void WarmUp(ByteComparison compare)
    {
        // Past tier-0 and the call-counting delay, so the rounds time optimised code.
        for (int pass = 0; pass < 3; pass++)
        {
            PrepareBlock();
            TimeBlock(compare, 0);
            Thread.Sleep(150);
        }
    }

    private void PrepareBlock()
    {
        for (int i = 0; i < blockSize; i++)
        {
            byte cls = (byte)random.Next(2);
            random.NextBytes(scratch);
            ReadOnlySpan<byte> source = cls == 0 ? fixedInput : scratch;
            source.CopyTo(slots.AsSpan(i * length, length));
            blockClasses[i] = cls;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization | MethodImplOptions.NoInlining)]
    private void TimeBlock(ByteComparison compare, int offset)
    {
        ReadOnlySpan<byte> left = fixedInput;
        int acc = 0;
        for (int i = 0; i < blockSize; i++)
        {
            ReadOnlySpan<byte> right = slots.AsSpan(i * length, length);
            long start = Stopwatch.GetTimestamp();
            for (int call = 0; call < callsPerSample; call++)
            {
                acc += Unsafe.BitCast<bool, byte>(compare(left, right));
            }

            long end = Stopwatch.GetTimestamp();
            times[offset + i] = end - start;
            classes[offset + i] = blockClasses[i];
        }

        sink += acc;
    }

    private double MaxAbsT()
    {
        long[] sorted = (long[])times.Clone();
        Array.Sort(sorted);
        double max = Math.Abs(WelchT(long.MaxValue, out string detail));
        LastDetail = "uncropped " + detail;
        foreach (double percentile in CropPercentiles)
        {
            long threshold = sorted[(int)(percentile * (sorted.Length - 1))];
            double t = Math.Abs(WelchT(threshold, out detail));
            if (t > max)
            {
                max = t;
                LastDetail = $"crop {percentile:P1} " + detail;
            }
        }

        // Keeps the JIT from dropping the calls whose results nothing else reads.
        GC.KeepAlive(sink);
        return max;
    }

    /// <summary>Welch's t over the samples strictly below <paramref name="threshold"/> (dudect's crop).</summary>
    private double WelchT(long threshold, out string detail)
    {
        detail = string.Empty;
        Span<Welford> stats = stackalloc Welford[2];
        for (int i = 0; i < times.Length; i++)
        {
            if (times[i] < threshold)
            {
                stats[classes[i]].Add(times[i]);
            }
        }

        if (stats[0].Count < 2 || stats[1].Count < 2)
        {
            return 0;
        }

        detail = FormattableString.Invariant($"fixed mean {stats[0].Mean:F1} n={stats[0].Count}, random mean {stats[1].Mean:F1} n={stats[1].Count} ticks");
        double se = Math.Sqrt((stats[0].Variance / stats[0].Count) + (stats[1].Variance / stats[1].Count));
        return se == 0 ? (stats[0].Mean == stats[1].Mean ? 0 : double.PositiveInfinity) : (stats[0].Mean - stats[1].Mean) / se;
    }

    /// <summary>Running mean and variance (Welford), as dudect keeps them.</summary>
    private struct Welford
    {
        private double m2;

        public long Count { get; private set; }

        public double Mean { get; private set; }

        public readonly double Variance => Count > 1 ? m2 / (Count - 1) : 0;

        public void Add(double x)
        {
            Count++;
            double delta = x - Mean;
            Mean += delta / Count;
            m2 += delta * (x - Mean);
        }
    }
}
