namespace Ama.Cryptography.Primitives;

/// <summary>The BCL-shaped argument checks shared by the public AEAD types, with the BCL's parameter names.</summary>
internal static class AeadArguments
{
    internal static void CheckKey(int keyLength, int keySize = SodiumAead.KeySize)
    {
        if (keyLength != keySize)
        {
            throw Error.AeadKeySize("key", keyLength, keySize);
        }
    }

    /// <summary>The bytes of a key handed over in a <see cref="SecureBuffer"/>; its <c>Span</c> throws once disposed.</summary>
    internal static ReadOnlySpan<byte> KeyOf(SecureBuffer key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return key.Span;
    }

    internal static void CheckEncrypt(int nonceSize, int tagSize, ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> plaintext, ReadOnlySpan<byte> ciphertext, ReadOnlySpan<byte> tag)
    {
        CheckNonceAndTag(nonceSize, tagSize, nonce.Length, tag.Length);
        CheckOutput(plaintext, ciphertext, "ciphertext");

        // Both are written: the tag would silently overwrite part of the ciphertext, or the reverse.
        if (tag.Overlaps(ciphertext))
        {
            throw Error.AeadTagOverlapsCiphertext(nameof(tag));
        }
    }

    internal static void CheckDecrypt(int nonceSize, int tagSize, ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> ciphertext, ReadOnlySpan<byte> tag, ReadOnlySpan<byte> plaintext)
    {
        CheckNonceAndTag(nonceSize, tagSize, nonce.Length, tag.Length);
        CheckOutput(ciphertext, plaintext, "plaintext");

        // AEGIS reads the tag after writing the plaintext: over the tag, a genuine ciphertext would fail as tampered with.
        if (plaintext.Overlaps(tag))
        {
            throw Error.AeadTagOverlap(nameof(plaintext));
        }
    }

    internal static void CheckNonceAndTag(int nonceSize, int tagSize, int nonceLength, int tagLength)
    {
        if (nonceLength != nonceSize)
        {
            throw Error.AeadNonceSize("nonce", nonceLength, nonceSize);
        }

        if (tagLength != tagSize)
        {
            throw Error.AeadTagSize("tag", tagLength, tagSize);
        }
    }

    // libsodium supports exact in-place operation; a shifted overlap would read bytes it has already written.
    private static void CheckOutput(ReadOnlySpan<byte> input, ReadOnlySpan<byte> output, string outputName)
    {
        if (input.Length != output.Length)
        {
            throw Error.AeadLengthMismatch(outputName, input.Length, output.Length);
        }

        if (input.Overlaps(output, out int offset) && offset != 0)
        {
            throw Error.AeadPartialOverlap(outputName);
        }
    }
}
