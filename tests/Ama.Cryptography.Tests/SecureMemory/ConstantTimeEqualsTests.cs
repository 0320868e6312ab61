using System.Runtime.Intrinsics;
using Ama.Cryptography.Memory;

namespace Ama.Cryptography.Tests.SecureMemoryFunctions;

public class ConstantTimeEqualsTests
{
    [Fact]
    public void Equal_inputs_are_equal_and_every_single_bit_flip_is_found_for_every_length_to_300_and_around_vector_widths()
    {
        // Every length up to 300 covers the scalar path, each vector width and every tail size.
        foreach (int length in Enumerable.Range(0, 301).Concat(AroundVectorWidths()).Distinct())
        {
            AssertEveryBitFlipFound(length);
        }
    }

    [Theory]
    [InlineData(NativeBackend.ShortCallBytes - 1)]
    [InlineData(NativeBackend.ShortCallBytes)]
    [InlineData(NativeBackend.ShortCallBytes + 1)]
    public void Lengths_either_side_of_the_native_short_call_limit_compare_correctly(int length)
    {
        // With the native backend, lengths up to the limit take the call without a GC transition
        // and longer ones the ordinary call; both must compare the whole range.
        byte[] left = RandomBytes(length, seed: length);
        byte[] right = (byte[])left.Clone();
        Assert.True(SecureMemory.ConstantTimeEquals(left, right));
        foreach (int position in new[] { 0, length / 2, length - 1 })
        {
            right[position] ^= 0x10;
            Assert.False(SecureMemory.ConstantTimeEquals(left, right), $"byte {position} of {length}");
            right[position] ^= 0x10;
        }
    }

    private static void AssertEveryBitFlipFound(int length)
    {
        byte[] left = RandomBytes(length, seed: length);
        byte[] right = (byte[])left.Clone();
        Assert.True(SecureMemory.ConstantTimeEquals(left, right));

        for (int position = 0; position < length; position++)
        {
            int bit = position % 8;
            right[position] ^= (byte)(1 << bit);
            Assert.False(SecureMemory.ConstantTimeEquals(left, right), $"bit {bit} of byte {position} of {length}");
            Assert.False(SecureMemory.ConstantTimeEquals(right, left), $"bit {bit} of byte {position} of {length} (swapped)");
            right[position] ^= (byte)(1 << bit);
        }

        Assert.True(SecureMemory.ConstantTimeEquals(left, right));
    }

    [Theory]
    [InlineData(32)]
    [InlineData(1024)]
    [InlineData(64 * 1024 + 7)]
    public void Named_positions_first_middle_last_and_vector_tail_are_found_for_all_eight_bits(int length)
    {
        byte[] left = RandomBytes(length, seed: 7);
        int[] positions = [0, length / 2, length - 1, length - (length % 16) - 1, length - 3];
        foreach (int position in positions)
        {
            for (int bit = 0; bit < 8; bit++)
            {
                byte[] right = (byte[])left.Clone();
                right[position] ^= (byte)(1 << bit);
                Assert.False(SecureMemory.ConstantTimeEquals(left, right), $"bit {bit} of byte {position}");
            }
        }
    }

    [Fact]
    public void Inputs_of_different_lengths_are_not_equal_even_when_one_is_a_prefix_of_the_other()
    {
        byte[] data = RandomBytes(300, seed: 1);
        for (int shorter = 0; shorter < data.Length; shorter += 13)
        {
            foreach (int longer in new[] { shorter + 1, shorter + 16, shorter + 64, data.Length })
            {
                if (longer <= data.Length && longer != shorter)
                {
                    Assert.False(SecureMemory.ConstantTimeEquals(data.AsSpan(0, shorter), data.AsSpan(0, longer)), $"{shorter} vs {longer}");
                    Assert.False(SecureMemory.ConstantTimeEquals(data.AsSpan(0, longer), data.AsSpan(0, shorter)), $"{longer} vs {shorter}");
                }
            }
        }
    }

    [Fact]
    public void Different_lengths_with_all_zero_content_are_not_equal()
    {
        Assert.False(SecureMemory.ConstantTimeEquals(new byte[32], new byte[33]));
        Assert.False(SecureMemory.ConstantTimeEquals(new byte[64], Array.Empty<byte>()));
    }

    [Fact]
    public void Empty_equals_empty_and_not_non_empty()
    {
        Assert.True(SecureMemory.ConstantTimeEquals([], []));
        Assert.True(SecureMemory.ConstantTimeEquals(default, ReadOnlySpan<byte>.Empty));
        Assert.False(SecureMemory.ConstantTimeEquals([], [0]));
        Assert.False(SecureMemory.ConstantTimeEquals([0], []));
        Assert.False(SecureMemory.ConstantTimeEquals(default, new byte[100]));
    }

    [Fact]
    public void Spans_that_overlap_the_same_array_compare_by_content()
    {
        byte[] data = new byte[200];
        Assert.True(SecureMemory.ConstantTimeEquals(data.AsSpan(0, 100), data.AsSpan(100, 100)));
        data[150] = 1;
        Assert.False(SecureMemory.ConstantTimeEquals(data.AsSpan(0, 100), data.AsSpan(100, 100)));
        Assert.True(SecureMemory.ConstantTimeEquals(data.AsSpan(0, 100), data.AsSpan(0, 100)));
    }

    [Fact]
    public void Agrees_with_SequenceEqual_on_random_inputs()
    {
        var random = new Random(20240601);
        for (int i = 0; i < 20_000; i++)
        {
            int leftLength = random.Next(0, 300);
            int rightLength = random.Next(4) == 0 ? random.Next(0, 300) : leftLength;
            byte[] left = new byte[leftLength];
            random.NextBytes(left);
            byte[] right = new byte[rightLength];
            left.AsSpan(0, Math.Min(leftLength, rightLength)).CopyTo(right);

            // Mostly a few differences from equal, so that "equal" is common.
            int flips = random.Next(3);
            for (int f = 0; f < flips && rightLength > 0; f++)
            {
                right[random.Next(rightLength)] ^= (byte)random.Next(256);
            }

            Assert.Equal(left.AsSpan().SequenceEqual(right), SecureMemory.ConstantTimeEquals(left, right));
        }
    }

    private static IEnumerable<int> AroundVectorWidths()
    {
        foreach (int width in new[] { Vector128<byte>.Count, Vector256<byte>.Count, Vector512<byte>.Count })
        {
            foreach (int multiple in new[] { 1, 2, 3, 4, 8, 16 })
            {
                for (int delta = -2; delta <= 2; delta++)
                {
                    yield return (width * multiple) + delta;
                }
            }
        }
    }

    private static byte[] RandomBytes(int length, int seed)
    {
        byte[] bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }
}
