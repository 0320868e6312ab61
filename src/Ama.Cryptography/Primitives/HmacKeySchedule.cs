using Ama.Cryptography.Memory;

namespace Ama.Cryptography.Primitives;

/// <summary>
/// Computes the HMAC midstates (RFC 2104): the hash contexts after one block of key XOR ipad and of
/// key XOR opad. Each is as good as the key, so they, the padded key block and the hash of a long key
/// are all kept in secure memory.
/// </summary>
internal static unsafe class HmacKeySchedule
{
    private const byte InnerPad = 0x36;
    private const byte OuterPad = 0x5C;

    /// <summary>Writes the inner midstate to <paramref name="inner"/> and <paramref name="stream"/>, and the outer one to <paramref name="outer"/>.</summary>
    internal static void Compute(ShaFunction sha, ReadOnlySpan<byte> key, byte* inner, byte* outer, byte* stream)
    {
        using SecureMemoryHandle scratch = SecureAllocator.Allocate(sha.BlockSize + sha.ContextSize, SecureBufferOptions.Default);
        byte* block = (byte*)scratch.Address;
        byte* context = block + sha.BlockSize;
        WritePaddedKey(sha, key, block, context);
        XorPad(sha, block, InnerPad);
        sha.Run([sha.Init(inner), sha.Update(inner, block, sha.BlockSize), sha.CopyContext(stream, inner)]);
        XorPad(sha, block, InnerPad ^ OuterPad);
        sha.Run([sha.Init(outer), sha.Update(outer, block, sha.BlockSize)]);

        // Disposing the scratch zeroes the key block and the context that hashed a long key.
    }

    /// <summary>Puts the key, or its hash when longer than a block, at the start of the zeroed block.</summary>
    private static void WritePaddedKey(ShaFunction sha, ReadOnlySpan<byte> key, byte* block, byte* context)
    {
        fixed (byte* keyBytes = key)
        {
            // A short key is copied natively too: a managed copy would hold it in vector registers in cooperative
            // mode, where a GC suspension signal can save them (see SecretCopy).
            sha.Run(key.Length <= sha.BlockSize
                ? [sha.CopyBytes(block, keyBytes, key.Length)]
                : [sha.Init(context), sha.Update(context, keyBytes, key.Length), sha.Final(block, context)]);
        }
    }

    private static void XorPad(ShaFunction sha, byte* block, int pad)
    {
        Span<byte> bytes = new(block, sha.BlockSize);
        for (int i = 0; i < bytes.Length; i++)
        {
            bytes[i] ^= (byte)pad;
        }
    }
}
