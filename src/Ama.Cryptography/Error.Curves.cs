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
}
