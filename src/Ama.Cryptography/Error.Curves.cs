using System.Security.Cryptography;

namespace Ama.Cryptography;

/// <summary>The messages of SecureEd25519 and SecureX25519; none of them carries key material.</summary>
internal static partial class Error
{
    internal static ArgumentException WrongKeyLength(string paramName, string what, int expected, int actual) => new(
        Format("The {0} must be {1} bytes long, not {2}.", what, expected, actual), paramName);

    internal static CryptographicException X25519LowOrderPeer() => new(
        "The peer's X25519 public key has low order: the shared secret would be all zeroes, so the key agreement is refused.");

    internal static CryptographicException SodiumCurveFailed(string function) => new(
        Format("libsodium's {0} failed.", function));

    internal static PlatformNotSupportedException SodiumInitFailed() => new(
        "libsodium could not be initialised (sodium_init returned -1).");

    internal static CryptographicException NotPkcs8(string algorithm) => new(
        Format("The data is not a PKCS#8 {0} private key: 48 bytes of DER, version 0, no attributes and no public key.", algorithm));

    internal static CryptographicException NotPkcs8Pem(string algorithm) => new(
        Format("The data is not one PEM block labelled \"PRIVATE KEY\" (RFC 7468) holding a PKCS#8 {0} private key: 48 bytes of DER, with nothing but whitespace around the block.", algorithm));

    internal static CryptographicException NotSubjectPublicKeyInfo(string algorithm) => new(
        Format("The data is not an {0} SubjectPublicKeyInfo (RFC 8410): 44 bytes of DER, or one PEM block labelled \"PUBLIC KEY\" holding them.", algorithm));

    /// <summary>A JWK that is not an RFC 8037 private key; <paramref name="reason"/> is a fixed phrase, never input text.</summary>
    internal static CryptographicException NotOkpJwk(string algorithm, string reason) => new(
        Format("The data is not an RFC 8037 {0} private JWK ({{\"kty\":\"OKP\",\"crv\":\"{0}\",\"d\":...,\"x\":...}}): {1}.", algorithm, reason));

    internal static CryptographicException JwkPublicKeyMismatch(string algorithm) => new(
        Format("The {0} JWK's \"x\" is not the public key of its \"d\".", algorithm));

    internal static InvalidOperationException PemWriteFailed(string label) => new(
        Format("Writing a PEM block labelled \"{0}\" into a buffer of the size PemEncoding computed failed.", label));
}
