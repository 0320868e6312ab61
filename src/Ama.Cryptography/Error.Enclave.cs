using System.Security.Cryptography;

namespace Ama.Cryptography;

/// <summary>The messages of SecureEnclave; none carries secret or ciphertext bytes.</summary>
internal static partial class Error
{
    internal static CryptographicException EnclaveTampered() => new(
        "The enclave does not verify: its nonce, ciphertext or tag was changed, so nothing was decrypted.");
}
