using System.Buffers.Binary;

namespace Ama.Cryptography.Tests.Primitives;

/// <summary>
/// What an attacker does with saved registers, without knowing any key: take two 16-byte values as AES-256 round
/// keys r and r + 1, run the key schedule backwards to the one key they belong to, and keep the key if a third of
/// its round keys is also among the saved values. In AES-256 every 32 bytes are round keys r, r + 1 of some key, so
/// the pair alone proves nothing. Nor does every third round key: odd round keys are derived without a round
/// constant, so the pair taken as (r, r + 1) for any r of the right parity predicts the same odd round keys r - 2
/// and r + 2. Only an even round key (one that went through the round constant of its round) pins r and the key;
/// one found by chance has a probability of about 2^-128.
/// </summary>
public static class AesKeyRecovery
{
    /// <summary>
    /// Tries as round keys (r, r + 1), for every r from 0 to 13, every two adjacent 16-byte windows at every byte
    /// offset of every region: AES code loads the round keys in order into consecutive registers, which the FXSAVE
    /// and XSAVE areas store side by side, as they do the 16-byte lanes of a zmm register. (Pairs of registers apart
    /// are not tried: two round keys of one key taken out of order can invert to a related key that another of the
    /// true round keys seems to confirm.) A key is kept when another of its even round keys is any 16-byte window of
    /// any region (found blind), or when it is one of <paramref name="knownKeys"/> (what an attacker who can test a
    /// candidate, against a ciphertext for instance, would also find).
    /// </summary>
    public static List<RecoveredAesKey> Recover(IReadOnlyList<byte[]> regions, IReadOnlyList<byte[]> knownKeys)
    {
        var windows = new HashSet<UInt128>();
        foreach (byte[] region in regions)
        {
            for (int o = 0; o + 16 <= region.Length; o++)
            {
                UInt128 window = Read(region, o);
                if (window != UInt128.Zero)
                {
                    windows.Add(window);
                }
            }
        }

        HashSet<UInt128> knownHeads = [.. knownKeys.Select(k => Read(k, 0))];
        var recovered = new Dictionary<string, RecoveredAesKey>(StringComparer.Ordinal);
        byte[] pair = new byte[32];
        byte[] key = new byte[32];
        byte[] schedule = new byte[Aes256KeySchedule.ScheduleLength];
        for (int r = 0; r < regions.Count; r++)
        {
            byte[] region = regions[r];
            for (int o = 0; o + 32 <= region.Length; o++)
            {
                Try(region, o, r);
            }
        }

        return [.. recovered.Values];

        void Try(byte[] region, int offset, int regionIndex)
        {
            UInt128 a = Read(region, offset);
            UInt128 b = Read(region, offset + 16);
            if (a == UInt128.Zero || b == UInt128.Zero || a == b)
            {
                return;
            }

            region.AsSpan(offset, 32).CopyTo(pair);
            for (int round = 0; round <= 13; round++)
            {
                Aes256KeySchedule.KeyFromRoundKeys(pair, round, key);
                Aes256KeySchedule.Expand(key, schedule);
                bool confirmed = false;
                for (int other = 0; other <= 14 && !confirmed; other += 2)
                {
                    confirmed = other != round && other != round + 1 && windows.Contains(Read(schedule, other * 16));
                }

                bool known = knownHeads.Contains(Read(key, 0)) && knownKeys.Any(k => k.AsSpan().SequenceEqual(key));
                if (confirmed || known)
                {
                    recovered.TryAdd(Convert.ToHexString(key) + "/" + regionIndex.ToString(System.Globalization.CultureInfo.InvariantCulture), new RecoveredAesKey((byte[])key.Clone(), round, regionIndex, offset, confirmed, known));
                }
            }
        }
    }

    private static UInt128 Read(byte[] bytes, int offset) => BinaryPrimitives.ReadUInt128LittleEndian(bytes.AsSpan(offset, 16));
}
