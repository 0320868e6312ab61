namespace Ama.Cryptography.Tests.Infrastructure;

/// <summary>
/// The 64-byte test patterns, computed byte by byte from a seed so that a process that fills a
/// buffer with one holds no other copy of it. The tests compute the same bytes to search dumps.
/// </summary>
public static class Pattern
{
    public const int Length = 64;

    public static void Fill(Span<byte> destination, int seed)
    {
        // xorshift32 needs wrapping arithmetic; the project checks overflow by default.
        unchecked
        {
            uint state = ((uint)seed * 2654435761u) | 1;
            for (int i = 0; i < destination.Length; i++)
            {
                state ^= state << 13;
                state ^= state >> 17;
                state ^= state << 5;
                destination[i] = (byte)state;
            }
        }
    }
}
