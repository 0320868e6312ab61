using System.Security.Cryptography;

namespace Ama.Cryptography;

/// <summary>The messages of SecureEnclave; none carries secret or ciphertext bytes.</summary>
internal static partial class Error
{
    internal static CryptographicException EnclaveTampered() => new(
        "The enclave does not verify: its nonce, ciphertext or tag was changed, so nothing was decrypted.");

    internal static InvalidOperationException EnclaveKeyWiped() => new(
        "The enclave key is gone: this process was forked from the one that made it, and the key's page is wiped on fork. Enclaves do not cross fork; seal secrets in the process that uses them.");
}
