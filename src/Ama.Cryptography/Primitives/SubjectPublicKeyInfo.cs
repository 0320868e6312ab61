namespace Ama.Cryptography.Primitives;

/// <summary>
/// X.509 SubjectPublicKeyInfo for the RFC 8410 curves: a fixed 12-byte DER header followed by the 32-byte
/// public key, as OpenSSL (<c>openssl pkey -pubout</c>) and NSec write it.
/// </summary>
internal static class SubjectPublicKeyInfo
{
    internal const int EncodedSize = 44;

    // SEQUENCE(42) { SEQUENCE(5) { OID 1.3.101.112 }, BIT STRING(33) { 0 unused bits, key } }
    private static ReadOnlySpan<byte> Ed25519Header => [0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00];

    // The same with OID 1.3.101.110 (X25519).
    private static ReadOnlySpan<byte> X25519Header => [0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x6e, 0x03, 0x21, 0x00];

    private const byte DerSequence = 0x30;

    private static ReadOnlySpan<byte> Header(bool ed25519) => ed25519 ? Ed25519Header : X25519Header;

    internal static byte[] Encode(bool ed25519, ReadOnlySpan<byte> publicKey)
    {
        byte[] encoded = new byte[EncodedSize];
        Header(ed25519).CopyTo(encoded);
        publicKey.CopyTo(encoded.AsSpan(Header(ed25519).Length));
        return encoded;
    }

    internal static string EncodePem(bool ed25519, ReadOnlySpan<byte> publicKey) =>
        KeyPem.WriteString(KeyPem.PublicKeyLabel, Encode(ed25519, publicKey));

    /// <summary>Returns the public key of a DER or PEM encoding; DER starts with a SEQUENCE tag, which no PEM text does.</summary>
    /// <exception cref="System.Security.Cryptography.CryptographicException">The data is neither, or is for another algorithm.</exception>
    internal static byte[] PublicKey(bool ed25519, ReadOnlySpan<byte> derOrPem, string algorithm)
    {
        if (!derOrPem.IsEmpty && derOrPem[0] == DerSequence)
        {
            return FromDer(ed25519, derOrPem, algorithm);
        }

        Span<byte> der = stackalloc byte[EncodedSize];
        if (!KeyPem.TryRead(derOrPem, KeyPem.PublicKeyLabel, der))
        {
            throw Error.NotSubjectPublicKeyInfo(algorithm);
        }

        return FromDer(ed25519, der, algorithm);
    }

    private static byte[] FromDer(bool ed25519, ReadOnlySpan<byte> der, string algorithm)
    {
        if (der.Length != EncodedSize || !der.StartsWith(Header(ed25519)))
        {
            throw Error.NotSubjectPublicKeyInfo(algorithm);
        }

        return der[Header(ed25519).Length..].ToArray();
    }
}
