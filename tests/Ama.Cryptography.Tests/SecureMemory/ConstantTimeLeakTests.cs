using System.Diagnostics;
using System.Reflection;

namespace Ama.Cryptography.Tests.SecureMemoryFunctions;

/// <summary>Timing tests run alone: other tests on the two cores would only add noise.</summary>
[CollectionDefinition(nameof(RunsAlone), DisableParallelization = true)]
public sealed class RunsAlone;

/// <summary>
/// dudect on ConstantTimeEquals, with deliberately leaky comparisons as negative controls in
/// the same harness. A round's verdict is its largest |t|; the best of a few rounds is taken,
/// because a shared machine's noise can only add spurious differences, never hide a real one
/// in every round.
/// </summary>
[Collection(nameof(RunsAlone))]
public class ConstantTimeLeakTests(ITestOutputHelper output)
{
    private const double PassBelow = 4.5;
    private const double ControlAbove = 10;

    [Theory]
    [InlineData(32, 64)]
    [InlineData(1024, 16)]
    public void ConstantTimeEquals_shows_no_timing_difference_between_equal_and_random_inputs(int length, int callsPerSample)
    {
        // Unoptimised code keeps the vector accumulator in memory rather than in a register, and
        // it measurably leaks: |t| of 6 to 25 at 1 KiB with a Debug build of the library (AMD
        // EPYC), against below 3 with an optimised build in the same harness.
        Assert.False(
            typeof(SecureMemory).Assembly.GetCustomAttribute<DebuggableAttribute>()?.IsJITOptimizerDisabled ?? false,
            "Ama.Cryptography was built without optimisation; its constant-time claim holds only for optimised code (build it with Optimize=true).");
        var harness = new Dudect(length, callsPerSample);

        double t = harness.BestOf(SecureMemory.ConstantTimeEquals, rounds: 5, stopBelow: PassBelow, output);

        Assert.True(t < PassBelow, $"|t| = {t:F2} for {length} bytes: ConstantTimeEquals leaks whether the inputs are equal");
    }

    /// <summary>
    /// With unequal lengths the answer is false whatever the bytes are, and the bytes must not show
    /// in the time either: the right input is one byte shorter, and equal to the left input's prefix
    /// in one class, random in the other. (What the lengths themselves show is in docs/threat-model.md.)
    /// </summary>
    [Theory]
    [InlineData(33, 64)]
    [InlineData(1025, 16)]
    public void ConstantTimeEquals_of_unequal_lengths_shows_no_timing_difference_between_equal_and_random_prefixes(int length, int callsPerSample)
    {
        var harness = new Dudect(length, callsPerSample);

        double t = harness.BestOf(static (left, right) => SecureMemory.ConstantTimeEquals(left, right[..^1]), rounds: 5, stopBelow: PassBelow, output);

        Assert.True(t < PassBelow, $"|t| = {t:F2} for {length} and {length - 1} bytes: ConstantTimeEquals leaks the content of unequal-length inputs");
    }

    /// <summary>Control for the test above: a compare that checks the common prefix first is caught with the same shapes.</summary>
    [Fact]
    public void Control_a_prefix_compare_of_unequal_lengths_is_caught_by_the_same_harness()
    {
        var harness = new Dudect(33, 64, blocks: 16);

        double t = harness.BestOf(static (left, right) => PrefixThenLength(left, right[..^1]), rounds: 3, stopBelow: ControlAbove, output);

        Assert.True(t > ControlAbove, $"|t| = {t:F2}: the harness missed a prefix compare of unequal lengths");
    }

    private static bool PrefixThenLength(ReadOnlySpan<byte> left, ReadOnlySpan<byte> right)
    {
        int common = Math.Min(left.Length, right.Length);
        return EarlyExitEquals(left[..common], right[..common]) && left.Length == right.Length;
    }

    [Fact]
    public void Control_an_early_exit_loop_is_caught_by_the_same_harness()
    {
        var harness = new Dudect(32, 64, blocks: 16);

        double t = harness.BestOf(EarlyExitEquals, rounds: 3, stopBelow: ControlAbove, output);

        Assert.True(t > ControlAbove, $"|t| = {t:F2}: the harness missed an early-exit comparison");
    }

    [Fact]
    public void Control_SequenceEqual_is_caught_by_the_same_harness()
    {
        var harness = new Dudect(1024, 16, blocks: 16);

        double t = harness.BestOf(static (a, b) => a.SequenceEqual(b), rounds: 3, stopBelow: ControlAbove, output);

        Assert.True(t > ControlAbove, $"|t| = {t:F2}: the harness missed SequenceEqual's early exit");
    }

    private static bool EarlyExitEquals(ReadOnlySpan<byte> left, ReadOnlySpan<byte> right)
    {
        if (left.Length != right.Length)
        {
            return false;
        }

        for (int i = 0; i < left.Length; i++)
        {
            if (left[i] != right[i])
            {
                return false;
            }
        }

        return true;
    }
}
