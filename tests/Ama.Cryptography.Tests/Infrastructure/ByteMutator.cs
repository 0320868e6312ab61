namespace Ama.Cryptography.Tests.Infrastructure;

/// <summary>
/// Random damage to stored bytes, as a fuzzer of the key store's parsers applies it: bit flips, replaced bytes,
/// cuts, insertions, boundary values and truncation, one to four at a time. Shared by the file and row fuzz tests.
/// </summary>
public static class ByteMutator
{
    public static byte[] Mutate(byte[] original, Random random)
    {
        var bytes = new List<byte>(original);
        int edits = 1 + random.Next(4);
        for (int e = 0; e < edits && bytes.Count > 0; e++)
        {
            int at = random.Next(bytes.Count);
            switch (random.Next(6))
            {
                case 0:
                    bytes[at] ^= (byte)(1 << random.Next(8));
                    break;
                case 1:
                    bytes[at] = (byte)random.Next(256);
                    break;
                case 2:
                    bytes.RemoveRange(at, Math.Min(bytes.Count - at, 1 + random.Next(16)));
                    break;
                case 3:
                    bytes.InsertRange(at, Enumerable.Range(0, 1 + random.Next(16)).Select(_ => (byte)random.Next(256)));
                    break;
                case 4:
                    bytes[at] = random.Next(3) switch { 0 => 0, 1 => 0xFF, _ => 0x7F };
                    break;
                default:
                    bytes.RemoveRange(at, bytes.Count - at);
                    break;
            }
        }

        return [.. bytes];
    }
}
