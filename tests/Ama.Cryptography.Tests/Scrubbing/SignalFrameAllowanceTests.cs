using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using Ama.Cryptography.Interop;
using Ama.Cryptography.Tests.Infrastructure;

namespace Ama.Cryptography.Tests.Scrubbing;

/// <summary>
/// Calls long enough for a signal to be likely to land in them zero room for its frame below the depth they used
/// (ScrubDepth.SignalFrameAllowance); short calls do not pay for it. Seen from the public API: the stack a call
/// leaves changed (zeroed) reaches 8 KiB deeper for a long input than for a short one of the same function.
/// </summary>
public sealed class SignalFrameAllowanceTests
{
    private static readonly int Allowance = (int)ScrubDepth.SignalFrameAllowance;

    public static TheoryData<string, int, bool> Calls => new()
    {
        { "aegis256", 16 * 1024, false },
        { "aegis256", checked((int)ScrubDepth.LongAegisInput), true },
        { "aegis128l", 16 * 1024, false },
        { "aegis128l", checked((int)ScrubDepth.LongAegisInput), true },
        { "chacha20poly1305", 2 * 1024, false },
        { "chacha20poly1305", checked((int)ScrubDepth.LongInput), true },
    };

    [Theory]
    [MemberData(nameof(Calls))]
    public void Long_calls_zero_room_for_a_signal_frame_and_short_ones_do_not(string algorithm, int length, bool isLong)
    {
        Assert.True(ScrubbedCall.IsActive, ScrubbedCall.Problem);
        Tools.RequireThat(algorithm == "chacha20poly1305" || SecureAegis256.IsSupported, "libsodium runs AEGIS");
        var (encrypt, key) = Encryptor(algorithm);
        using IDisposable keyInUse = key;

        int extra = Least(encrypt, length) - Least(encrypt, 64);

        Assert.True(isLong ? extra >= Allowance - 64 : extra < Allowance / 2, $"{algorithm} of {length} bytes zeroed {extra} bytes more than of 64 bytes");
    }

    private static (Action<int> Encrypt, IDisposable Key) Encryptor(string algorithm)
    {
        byte[] key = RandomNumberGenerator.GetBytes(32);
        byte[] input = new byte[64 * 1024];
        byte[] output = new byte[64 * 1024];
        byte[] tag = new byte[32];
        switch (algorithm)
        {
            case "aegis256":
                var aegis256 = new SecureAegis256(key);
                return (n => aegis256.Encrypt(new byte[SecureAegis256.NonceSizeInBytes], input.AsSpan(0, n), output.AsSpan(0, n), tag), aegis256);
            case "aegis128l":
                var aegis128L = new SecureAegis128L(key.AsSpan(0, 16));
                return (n => aegis128L.Encrypt(new byte[SecureAegis128L.NonceSizeInBytes], input.AsSpan(0, n), output.AsSpan(0, n), tag), aegis128L);
            default:
                var chacha = new SecureChaCha20Poly1305(key);
                return (n => chacha.Encrypt(new byte[SecureChaCha20Poly1305.NonceSizeInBytes], input.AsSpan(0, n), output.AsSpan(0, n), tag.AsSpan(0, 16)), chacha);
        }
    }

    /// <summary>The least depth of several runs: the first also compiles; a GC signal can only add depth.</summary>
    private static int Least(Action<int> encrypt, int length)
    {
        _ = Measure(encrypt, length);
        int least = int.MaxValue;
        for (int i = 0; i < 9; i++)
        {
            least = Math.Min(least, Measure(encrypt, length));
        }

        return least;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static int Measure(Action<int> encrypt, int length)
    {
        StackHighWaterMark.Paint();
        encrypt(length);
        return StackHighWaterMark.Scan();
    }
}
