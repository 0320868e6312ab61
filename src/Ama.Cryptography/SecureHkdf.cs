using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using Ama.Cryptography.Interop;
using Ama.Cryptography.Primitives;

namespace Ama.Cryptography;

/// <summary>
/// HKDF (RFC 5869) with SHA-256 or SHA-512 on <see cref="SecureHmac"/>: the pseudorandom key, every
/// block T(i) and the output live only in secure memory.
/// </summary>
/// <example>
/// <code>
/// using SecureBuffer sessionKey = SecureHkdf.DeriveKey(HashAlgorithmName.SHA256, masterKey, 32, salt, "session"u8);
/// </code>
/// </example>
public static class SecureHkdf
{
    private const int MaxBlocks = 255;

    /// <summary>Derives <paramref name="outputLength"/> bytes from the key material in <paramref name="ikm"/> (extract, then expand).</summary>
    /// <param name="hashAlgorithm"><see cref="HashAlgorithmName.SHA256"/>, <see cref="HashAlgorithmName.SHA384"/> or <see cref="HashAlgorithmName.SHA512"/>.</param>
    /// <param name="ikm">The input key material; the caller may dispose it afterwards.</param>
    /// <param name="outputLength">From 1 to 255 times the hash size (8160 bytes for SHA-256, 16320 for SHA-512).</param>
    /// <param name="salt">The salt; empty means a hash-sized block of zeros, as RFC 5869 says.</param>
    /// <param name="info">The context and application label.</param>
    /// <returns>A new buffer with the output; the caller disposes it.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="ikm"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="hashAlgorithm"/> has a null or empty name.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="outputLength"/> is out of range.</exception>
    /// <exception cref="CryptographicException"><paramref name="hashAlgorithm"/> is not SHA256, SHA384 or SHA512.</exception>
    /// <exception cref="ObjectDisposedException"><paramref name="ikm"/> has been disposed.</exception>
    /// <exception cref="PlatformNotSupportedException"><see cref="SecureHmac.IsSupported"/> is false.</exception>
    [SuppressMessage("ApiDesign", "RS0026:Do not add multiple public overloads with optional parameters", Justification = "The issue fixes these BCL-shaped signatures; the two overloads differ in the type of ikm, so no call is ambiguous.")]
    public static SecureBuffer DeriveKey(HashAlgorithmName hashAlgorithm, SecureBuffer ikm, int outputLength, ReadOnlySpan<byte> salt = default, ReadOnlySpan<byte> info = default)
    {
        ArgumentNullException.ThrowIfNull(ikm);
        return DeriveKey(hashAlgorithm, ikm.Span, outputLength, salt, info);
    }

    /// <summary>Derives <paramref name="outputLength"/> bytes from the key material in <paramref name="ikm"/> (extract, then expand).</summary>
    /// <param name="hashAlgorithm"><see cref="HashAlgorithmName.SHA256"/>, <see cref="HashAlgorithmName.SHA384"/> or <see cref="HashAlgorithmName.SHA512"/>.</param>
    /// <param name="ikm">The input key material.</param>
    /// <param name="outputLength">From 1 to 255 times the hash size (8160 bytes for SHA-256, 16320 for SHA-512).</param>
    /// <param name="salt">The salt; empty means a hash-sized block of zeros, as RFC 5869 says.</param>
    /// <param name="info">The context and application label.</param>
    /// <returns>A new buffer with the output; the caller disposes it.</returns>
    /// <exception cref="ArgumentException"><paramref name="hashAlgorithm"/> has a null or empty name.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="outputLength"/> is out of range.</exception>
    /// <exception cref="CryptographicException"><paramref name="hashAlgorithm"/> is not SHA256, SHA384 or SHA512.</exception>
    /// <exception cref="PlatformNotSupportedException"><see cref="SecureHmac.IsSupported"/> is false.</exception>
    [SuppressMessage("ApiDesign", "RS0026:Do not add multiple public overloads with optional parameters", Justification = "The issue fixes these BCL-shaped signatures; the two overloads differ in the type of ikm, so no call is ambiguous.")]
    public static SecureBuffer DeriveKey(HashAlgorithmName hashAlgorithm, ReadOnlySpan<byte> ikm, int outputLength, ReadOnlySpan<byte> salt = default, ReadOnlySpan<byte> info = default)
    {
        int hashSize = ShaFunction.For(hashAlgorithm, nameof(hashAlgorithm), nameof(SecureHkdf)).HashSize;
        if (outputLength < 1 || outputLength > MaxBlocks * hashSize)
        {
            throw Error.HkdfOutputLength(nameof(outputLength), outputLength, MaxBlocks * hashSize);
        }

        using SecureBuffer prk = Extract(hashAlgorithm, hashSize, ikm, salt);
        SecureBuffer output = Expand(hashAlgorithm, prk, outputLength, info);

        // Copying each T(i) into the output left output bytes in vector registers.
        ScrubbedCall.Scrub(0);
        return output;
    }

    /// <summary>PRK = HMAC(salt, IKM). An empty salt is the RFC's default: HMAC pads a key with zeros anyway.</summary>
    private static SecureBuffer Extract(HashAlgorithmName hashAlgorithm, int hashSize, ReadOnlySpan<byte> ikm, ReadOnlySpan<byte> salt)
    {
        var prk = new SecureBuffer(hashSize);
        try
        {
            using var extractor = new SecureHmac(hashAlgorithm, salt);
            extractor.ComputeHash(ikm, prk.Span);
            return prk;
        }
        catch
        {
            prk.Dispose();
            throw;
        }
    }

    /// <summary>T(i) = HMAC(PRK, T(i-1) | info | i); the output is T(1) | T(2) | ... cut to length.</summary>
    private static SecureBuffer Expand(HashAlgorithmName hashAlgorithm, SecureBuffer prk, int outputLength, ReadOnlySpan<byte> info)
    {
        var output = new SecureBuffer(outputLength);
        try
        {
            using var expander = new SecureHmac(hashAlgorithm, prk);
            using var block = new SecureBuffer(expander.HashSizeInBytes);
            Span<byte> counter = stackalloc byte[1];
            for (int written = 0; written < outputLength; written += block.Length)
            {
                if (written > 0)
                {
                    expander.AppendData(block.Span);
                }

                expander.AppendData(info);
                counter[0] = (byte)((written / block.Length) + 1);
                expander.AppendData(counter);
                expander.GetHashAndReset(block.Span);
                ReadOnlySpan<byte> part = block.Span;
                part[..Math.Min(part.Length, outputLength - written)].CopyTo(output.Span[written..]);
            }

            return output;
        }
        catch
        {
            output.Dispose();
            throw;
        }
    }
}
