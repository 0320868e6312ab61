using System.Security.Cryptography;

namespace Ama.Cryptography;

/// <summary>The messages of SecureHmac and SecureHkdf; none of them carries key material or data.</summary>
internal static partial class Error
{
    internal static ArgumentException HashAlgorithmNameEmpty(string paramName) => new(
        "The hash algorithm name is null or empty; use HashAlgorithmName.SHA256, SHA384 or SHA512.", paramName);

    internal static CryptographicException HashAlgorithmNotSupported(string name, string typeName) => new(
        Format("'{0}' is not a hash algorithm that {1} supports; use SHA256, SHA384 or SHA512.", name, typeName));

    internal static PlatformNotSupportedException LibCryptoUnavailable(string typeName, string problem) => new(
        Format("{0} needs the system's OpenSSL libcrypto for SHA-256, SHA-384 and SHA-512 on caller-allocated contexts, and it cannot be used: {1}.", typeName, problem));

    internal static CryptographicException LibCryptoFailed(string function) => new(
        Format("libcrypto's SHA {0} failed.", function));

    internal static CryptographicException ConcurrentUse(string typeName) => new(
        Format("Concurrent operations from more than one thread on one {0} are not supported; give each thread its own instance. The call that found another in progress did nothing.", typeName));

    internal static ArgumentOutOfRangeException HkdfOutputLength(string paramName, int length, int maxLength) => new(
        paramName, Format("The output length is {0}; HKDF with this hash gives from 1 to {1} bytes (255 times the hash size).", length, maxLength));
}
