namespace Ama.Cryptography.Primitives;

/// <summary>
/// PKCS#8 (RFC 5208 PrivateKeyInfo, version 0) for the RFC 8410 curves: a fixed 16-byte DER header followed by
/// the 32-byte raw key, so writing and reading need no intermediate outside the caller's and the key's memory.
/// </summary>
internal static class Pkcs8
{
    internal const int RawKeySize = 32;

    internal const int EncodedSize = 48;

    // SEQUENCE(46) { INTEGER 0, SEQUENCE(5) { OID 1.3.101.112 }, OCTET STRING(34) { OCTET STRING(32) key } }
    private static ReadOnlySpan<byte> Ed25519Header => [0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20];

    // The same with OID 1.3.101.110 (X25519).
    private static ReadOnlySpan<byte> X25519Header => [0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x6e, 0x04, 0x22, 0x04, 0x20];

    internal static ReadOnlySpan<byte> Header(bool ed25519) => ed25519 ? Ed25519Header : X25519Header;

    /// <summary>Writes the encoding of <paramref name="rawKey"/> into a new <see cref="SecureBuffer"/>.</summary>
    internal static SecureBuffer Encode(bool ed25519, ReadOnlySpan<byte> rawKey)
    {
        var encoded = new SecureBuffer(EncodedSize);
        Header(ed25519).CopyTo(encoded.Span);
        SecretCopy.Copy(rawKey, encoded.Span[Header(ed25519).Length..]);
        return encoded;
    }

    /// <summary>Returns the raw key inside <paramref name="encoded"/>, a view into the caller's memory.</summary>
    /// <exception cref="System.Security.Cryptography.CryptographicException">The data is not such an encoding.</exception>
    internal static ReadOnlySpan<byte> RawKey(bool ed25519, ReadOnlySpan<byte> encoded, string algorithm)
    {
        if (encoded.Length != EncodedSize || !encoded.StartsWith(Header(ed25519)))
        {
            throw Error.NotPkcs8(algorithm);
        }

        return encoded[Header(ed25519).Length..];
    }

    /// <summary>Decodes a PEM "PRIVATE KEY" block into a new <see cref="SecureBuffer"/> holding the DER, not yet checked.</summary>
    /// <exception cref="System.Security.Cryptography.CryptographicException">The data is not one such block of 48 bytes.</exception>
    internal static SecureBuffer DecodePem(ReadOnlySpan<byte> utf8Pem, string algorithm)
    {
        var der = new SecureBuffer(EncodedSize);
        if (KeyPem.TryRead(utf8Pem, KeyPem.PrivateKeyLabel, der.Span))
        {
            return der;
        }

        der.Dispose();
        throw Error.NotPkcs8Pem(algorithm);
    }

    /// <summary>Writes the PEM "PRIVATE KEY" form of <paramref name="rawKey"/> into a new <see cref="SecureBuffer"/>.</summary>
    internal static SecureBuffer EncodePem(bool ed25519, ReadOnlySpan<byte> rawKey)
    {
        using SecureBuffer der = Encode(ed25519, rawKey);
        return KeyPem.Write(KeyPem.PrivateKeyLabel, der.Span);
    }
}
