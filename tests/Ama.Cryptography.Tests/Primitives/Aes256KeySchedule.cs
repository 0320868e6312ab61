using System.Security.Cryptography;

namespace Ama.Cryptography.Tests.Primitives;

/// <summary>
/// The AES-256 key expansion of FIPS-197 section 5.2, written out in the test so that a dump can be
/// searched for the round keys a cipher derives from a key, and the GCM hash key H = AES_K(0^128).
/// </summary>
public static class Aes256KeySchedule
{
    private static readonly byte[] SBox = BuildSBox();

    // The round constants of the seven AES-256 key-schedule rounds: x^(i-1) in GF(2^8).
    private static readonly byte[] Rcon = [0x01, 0x02, 0x04, 0x08, 0x10, 0x20, 0x40];

    /// <summary>The length of the expanded key: 15 round keys of 16 bytes.</summary>
    public const int ScheduleLength = 240;

    /// <summary>The 15 round keys, 240 bytes; the first two are the key itself.</summary>
    public static byte[] Expand(ReadOnlySpan<byte> key)
    {
        byte[] w = new byte[ScheduleLength];
        Expand(key, w);
        return w;
    }

    /// <summary>The 15 round keys into <paramref name="w"/> (240 bytes), without allocating: the blind key recovery expands millions of candidates.</summary>
    public static void Expand(ReadOnlySpan<byte> key, Span<byte> w)
    {
        key[..32].CopyTo(w);
        byte rcon = 1;
        Span<byte> t = stackalloc byte[4];
        for (int i = 32; i < ScheduleLength; i += 4)
        {
            w.Slice(i - 4, 4).CopyTo(t);
            if (i % 32 == 0)
            {
                byte first = t[0];
                t[0] = (byte)(SBox[t[1]] ^ rcon);
                t[1] = SBox[t[2]];
                t[2] = SBox[t[3]];
                t[3] = SBox[first];
                rcon = Times2(rcon);
            }
            else if (i % 32 == 16)
            {
                for (int j = 0; j < 4; j++)
                {
                    t[j] = SBox[t[j]];
                }
            }

            for (int j = 0; j < 4; j++)
            {
                w[i + j] = (byte)(w[i - 32 + j] ^ t[j]);
            }
        }
    }

    /// <summary>
    /// Runs the key schedule backwards: the key whose round keys <paramref name="round"/> and <paramref name="round"/> + 1
    /// (0 to 13) are the 32 bytes of <paramref name="pair"/>. In AES-256 two consecutive round keys are eight
    /// consecutive schedule words, and each earlier word is w[i - 8] = w[i] XOR T(w[i - 1]), so every such pair
    /// belongs to exactly one key: any 32 bytes give a key, and only a third round key found elsewhere (an even one;
    /// see <see cref="AesKeyRecovery"/>) confirms it.
    /// </summary>
    public static void KeyFromRoundKeys(ReadOnlySpan<byte> pair, int round, Span<byte> key)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(round);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(round, 13);
        Span<byte> w = stackalloc byte[ScheduleLength];
        int start = round * 16;
        pair[..32].CopyTo(w[start..]);
        Span<byte> t = stackalloc byte[4];
        for (int i = start + 28; i >= 32; i -= 4)
        {
            // w[i - 32] from w[i] and w[i - 4], both already known: the forward step solved for its older input.
            w.Slice(i - 4, 4).CopyTo(t);
            if (i % 32 == 0)
            {
                byte first = t[0];
                t[0] = (byte)(SBox[t[1]] ^ Rcon[(i / 32) - 1]);
                t[1] = SBox[t[2]];
                t[2] = SBox[t[3]];
                t[3] = SBox[first];
            }
            else if (i % 32 == 16)
            {
                for (int j = 0; j < 4; j++)
                {
                    t[j] = SBox[t[j]];
                }
            }

            for (int j = 0; j < 4; j++)
            {
                w[i - 32 + j] = (byte)(w[i + j] ^ t[j]);
            }
        }

        w[..32].CopyTo(key);
    }

    /// <summary>GHASH's key H, the encryption of the zero block.</summary>
    public static byte[] HashKey(byte[] key)
    {
        using var aes = Aes.Create();
        aes.Key = key;
        return aes.EncryptEcb(new byte[16], PaddingMode.None);
    }

    private static byte Times2(byte b) => unchecked((byte)((b << 1) ^ ((b & 0x80) != 0 ? 0x1B : 0)));

    // The S-box from its definition: the multiplicative inverse in GF(2^8) followed by the affine map.
    private static byte[] BuildSBox()
    {
        byte[] box = new byte[256];
        byte p = 1, q = 1;
        do
        {
            p = (byte)(p ^ Times2(p)); // p *= 3
            q ^= unchecked((byte)(q << 1));
            q ^= unchecked((byte)(q << 2));
            q ^= unchecked((byte)(q << 4));
            if ((q & 0x80) != 0)
            {
                q ^= 0x09;
            }

            box[p] = (byte)(q ^ Rotl(q, 1) ^ Rotl(q, 2) ^ Rotl(q, 3) ^ Rotl(q, 4) ^ 0x63);
        }
        while (p != 1);
        box[0] = 0x63;
        return box;
    }

    private static byte Rotl(byte value, int shift) => unchecked((byte)((value << shift) | (value >> (8 - shift))));
}
