using System.Security.Cryptography;

namespace Ama.Cryptography.Tests.Primitives;

/// <summary>
/// The AES-256 key expansion of FIPS-197 section 5.2, written out in the test so that a dump can be
/// searched for the round keys a cipher derives from a key, and the GCM hash key H = AES_K(0^128).
/// </summary>
public static class Aes256KeySchedule
{
    private static readonly byte[] SBox = BuildSBox();

    /// <summary>The 15 round keys, 240 bytes; the first two are the key itself.</summary>
    public static byte[] Expand(ReadOnlySpan<byte> key)
    {
        byte[] w = new byte[240];
        key.CopyTo(w);
        byte rcon = 1;
        for (int i = 32; i < 240; i += 4)
        {
            byte[] t = [w[i - 4], w[i - 3], w[i - 2], w[i - 1]];
            if (i % 32 == 0)
            {
                t = [(byte)(SBox[t[1]] ^ rcon), SBox[t[2]], SBox[t[3]], SBox[t[0]]];
                rcon = Times2(rcon);
            }
            else if (i % 32 == 16)
            {
                t = [SBox[t[0]], SBox[t[1]], SBox[t[2]], SBox[t[3]]];
            }

            for (int j = 0; j < 4; j++)
            {
                w[i + j] = (byte)(w[i - 32 + j] ^ t[j]);
            }
        }

        return w;
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
