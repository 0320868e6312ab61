using System.Buffers.Binary;

namespace Ama.Cryptography.Tests.Infrastructure;

/// <summary>
/// The HMAC midstates as they lie in memory: the SHA-256 or SHA-512 chaining value after one block of
/// key XOR pad, as the native-endian words of an OpenSSL SHA256_CTX / SHA512_CTX. Test-only code: the
/// compression functions of FIPS 180-4, written out so the dump tests do not trust the code under test.
/// </summary>
public static class ShaMidstate
{
    private static readonly uint[] K256 =
    [
        0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
        0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
        0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
        0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
        0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
        0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
        0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
        0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
    ];

    private static readonly ulong[] K512 =
    [
        0x428a2f98d728ae22, 0x7137449123ef65cd, 0xb5c0fbcfec4d3b2f, 0xe9b5dba58189dbbc, 0x3956c25bf348b538,
        0x59f111f1b605d019, 0x923f82a4af194f9b, 0xab1c5ed5da6d8118, 0xd807aa98a3030242, 0x12835b0145706fbe,
        0x243185be4ee4b28c, 0x550c7dc3d5ffb4e2, 0x72be5d74f27b896f, 0x80deb1fe3b1696b1, 0x9bdc06a725c71235,
        0xc19bf174cf692694, 0xe49b69c19ef14ad2, 0xefbe4786384f25e3, 0x0fc19dc68b8cd5b5, 0x240ca1cc77ac9c65,
        0x2de92c6f592b0275, 0x4a7484aa6ea6e483, 0x5cb0a9dcbd41fbd4, 0x76f988da831153b5, 0x983e5152ee66dfab,
        0xa831c66d2db43210, 0xb00327c898fb213f, 0xbf597fc7beef0ee4, 0xc6e00bf33da88fc2, 0xd5a79147930aa725,
        0x06ca6351e003826f, 0x142929670a0e6e70, 0x27b70a8546d22ffc, 0x2e1b21385c26c926, 0x4d2c6dfc5ac42aed,
        0x53380d139d95b3df, 0x650a73548baf63de, 0x766a0abb3c77b2a8, 0x81c2c92e47edaee6, 0x92722c851482353b,
        0xa2bfe8a14cf10364, 0xa81a664bbc423001, 0xc24b8b70d0f89791, 0xc76c51a30654be30, 0xd192e819d6ef5218,
        0xd69906245565a910, 0xf40e35855771202a, 0x106aa07032bbd1b8, 0x19a4c116b8d2d0c8, 0x1e376c085141ab53,
        0x2748774cdf8eeb99, 0x34b0bcb5e19b48a8, 0x391c0cb3c5c95a63, 0x4ed8aa4ae3418acb, 0x5b9cca4f7763e373,
        0x682e6ff3d6b2b8a3, 0x748f82ee5defb2fc, 0x78a5636f43172f60, 0x84c87814a1f0ab72, 0x8cc702081a6439ec,
        0x90befffa23631e28, 0xa4506cebde82bde9, 0xbef9a3f7b2c67915, 0xc67178f2e372532b, 0xca273eceea26619c,
        0xd186b8c721c0c207, 0xeada7dd6cde0eb1e, 0xf57d4f7fee6ed178, 0x06f067aa72176fba, 0x0a637dc5a2c898a6,
        0x113f9804bef90dae, 0x1b710b35131c471b, 0x28db77f523047d84, 0x32caab7b40c72493, 0x3c9ebe0a15c9bebc,
        0x431d67c49c100d4c, 0x4cc5d4becb3e42b6, 0x597f299cfc657e2a, 0x5fcb6fab3ad6faec, 0x6c44198c4a475817,
    ];

    /// <summary>The SHA-256 state after the block (key zero-padded to 64 bytes) XOR pad, as 32 bytes of a SHA256_CTX.</summary>
    public static byte[] Sha256(ReadOnlySpan<byte> key, byte pad)
    {
        uint[] h = [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19];
        Compress256(h, PaddedBlock(key, pad, 64));
        byte[] state = new byte[32];
        for (int i = 0; i < 8; i++)
        {
            BitConverter.TryWriteBytes(state.AsSpan(i * 4), h[i]);
        }

        return state;
    }

    /// <summary>The SHA-512 state after the block (key zero-padded to 128 bytes) XOR pad, as 64 bytes of a SHA512_CTX.</summary>
    public static byte[] Sha512(ReadOnlySpan<byte> key, byte pad)
    {
        ulong[] h =
        [
            0x6a09e667f3bcc908, 0xbb67ae8584caa73b, 0x3c6ef372fe94f82b, 0xa54ff53a5f1d36f1,
            0x510e527fade682d1, 0x9b05688c2b3e6c1f, 0x1f83d9abfb41bd6b, 0x5be0cd19137e2179,
        ];
        Compress512(h, PaddedBlock(key, pad, 128));
        byte[] state = new byte[64];
        for (int i = 0; i < 8; i++)
        {
            BitConverter.TryWriteBytes(state.AsSpan(i * 8), h[i]);
        }

        return state;
    }

    /// <summary>
    /// W[t] + K[t] for every round t of SHA-512 on the block key XOR pad, as native-endian words: what a block
    /// function without SHA instructions stores on its stack. Any 16 consecutive W give back the block.
    /// </summary>
    public static IEnumerable<byte[]> Sha512ScheduleWords(ReadOnlySpan<byte> key, byte pad)
    {
        byte[] block = PaddedBlock(key, pad, 128);
        ulong[] w = Schedule512(block);
        return Enumerable.Range(0, 80).Select(t => BitConverter.GetBytes(unchecked(w[t] + K512[t])));
    }

    private static byte[] PaddedBlock(ReadOnlySpan<byte> key, byte pad, int blockSize)
    {
        byte[] block = new byte[blockSize];
        key.CopyTo(block);
        for (int i = 0; i < block.Length; i++)
        {
            block[i] ^= pad;
        }

        return block;
    }

    private static void Compress256(uint[] h, byte[] block)
    {
        uint[] w = new uint[64];
        for (int t = 0; t < 16; t++)
        {
            w[t] = BinaryPrimitives.ReadUInt32BigEndian(block.AsSpan(t * 4));
        }

        for (int t = 16; t < 64; t++)
        {
            uint s0 = uint.RotateRight(w[t - 15], 7) ^ uint.RotateRight(w[t - 15], 18) ^ (w[t - 15] >> 3);
            uint s1 = uint.RotateRight(w[t - 2], 17) ^ uint.RotateRight(w[t - 2], 19) ^ (w[t - 2] >> 10);
            w[t] = unchecked(w[t - 16] + s0 + w[t - 7] + s1);
        }

        uint[] v = [.. h];
        for (int t = 0; t < 64; t++)
        {
            uint s1 = uint.RotateRight(v[4], 6) ^ uint.RotateRight(v[4], 11) ^ uint.RotateRight(v[4], 25);
            uint ch = (v[4] & v[5]) ^ (~v[4] & v[6]);
            uint t1 = unchecked(v[7] + s1 + ch + K256[t] + w[t]);
            uint s0 = uint.RotateRight(v[0], 2) ^ uint.RotateRight(v[0], 13) ^ uint.RotateRight(v[0], 22);
            uint maj = (v[0] & v[1]) ^ (v[0] & v[2]) ^ (v[1] & v[2]);
            v = [unchecked(t1 + s0 + maj), v[0], v[1], v[2], unchecked(v[3] + t1), v[4], v[5], v[6]];
        }

        for (int i = 0; i < 8; i++)
        {
            h[i] = unchecked(h[i] + v[i]);
        }
    }

    private static ulong[] Schedule512(byte[] block)
    {
        ulong[] w = new ulong[80];
        for (int t = 0; t < 16; t++)
        {
            w[t] = BinaryPrimitives.ReadUInt64BigEndian(block.AsSpan(t * 8));
        }

        for (int t = 16; t < 80; t++)
        {
            ulong s0 = ulong.RotateRight(w[t - 15], 1) ^ ulong.RotateRight(w[t - 15], 8) ^ (w[t - 15] >> 7);
            ulong s1 = ulong.RotateRight(w[t - 2], 19) ^ ulong.RotateRight(w[t - 2], 61) ^ (w[t - 2] >> 6);
            w[t] = unchecked(w[t - 16] + s0 + w[t - 7] + s1);
        }

        return w;
    }

    private static void Compress512(ulong[] h, byte[] block)
    {
        ulong[] w = Schedule512(block);
        ulong[] v = [.. h];
        for (int t = 0; t < 80; t++)
        {
            ulong s1 = ulong.RotateRight(v[4], 14) ^ ulong.RotateRight(v[4], 18) ^ ulong.RotateRight(v[4], 41);
            ulong ch = (v[4] & v[5]) ^ (~v[4] & v[6]);
            ulong t1 = unchecked(v[7] + s1 + ch + K512[t] + w[t]);
            ulong s0 = ulong.RotateRight(v[0], 28) ^ ulong.RotateRight(v[0], 34) ^ ulong.RotateRight(v[0], 39);
            ulong maj = (v[0] & v[1]) ^ (v[0] & v[2]) ^ (v[1] & v[2]);
            v = [unchecked(t1 + s0 + maj), v[0], v[1], v[2], unchecked(v[3] + t1), v[4], v[5], v[6]];
        }

        for (int i = 0; i < 8; i++)
        {
            h[i] = unchecked(h[i] + v[i]);
        }
    }
}
