using System.Security.Cryptography;

namespace Ama.Cryptography;

/// <summary>The messages of SecureAesGcm, SecureChaCha20Poly1305 and SecureXChaCha20Poly1305; none carries key or message bytes.</summary>
internal static partial class Error
{
    internal static ArgumentException AeadKeySize(string paramName, int actual, int expected) => new(
        Format("The key must be {0} bytes long, not {1}.", expected, actual), paramName);

    internal static ArgumentException AeadNonceSize(string paramName, int actual, int expected) => new(
        Format("The nonce must be {0} bytes long, not {1}.", expected, actual), paramName);

    internal static ArgumentException AeadTagSize(string paramName, int actual, int expected) => new(
        Format("The tag must be {0} bytes long, not {1}.", expected, actual), paramName);

    internal static ArgumentException AeadLengthMismatch(string paramName, int inputLength, int outputLength) => new(
        Format("The output must be as long as the input ({0} bytes), not {1} bytes.", inputLength, outputLength), paramName);

    internal static ArgumentException AeadPartialOverlap(string paramName) => new(
        "The output overlaps the input without starting at the same address; use the same buffer for in-place operation or separate buffers.", paramName);

    internal static ArgumentException AeadTagOverlap(string paramName) => new(
        "The plaintext overlaps the tag, which is read after the plaintext is written; use separate buffers.", paramName);

    internal static ArgumentException AeadTagOverlapsCiphertext(string paramName) => new(
        "The tag overlaps the ciphertext, and one would overwrite the other; use separate buffers.", paramName);

    internal static PlatformNotSupportedException AeadNotSupported(string algorithm) => new(
        Format("{0} is not supported here: libsodium did not load or has no hardware implementation on this CPU, and no implementation that keeps the key in secure memory is available.", algorithm));

    internal static InvalidOperationException SodiumCallFailed(string function) => new(
        Format("libsodium's {0} failed for valid arguments.", function));

    internal static AuthenticationTagMismatchException AeadTagMismatch() => new();
}
