using System.Security.Cryptography;

namespace Ama.Cryptography;

/// <summary>The messages of SecureEnclave; none carries secret or ciphertext bytes.</summary>
internal static partial class Error
{
    internal static CryptographicException EnclaveTampered() => new(
        "The enclave does not verify: its nonce, ciphertext or tag was changed, so nothing was decrypted.");

    internal static InvalidOperationException EnclaveKeyWiped() => new(
        "The enclave key is gone: this process was forked from the one that made it, and the key's page is wiped on fork. Enclaves do not cross fork; seal secrets in the process that uses them.");

    internal static ObjectDisposedException EnclaveKeyPurged() => new(
        nameof(SecureEnclave),
        "SecureMemory.PurgeAll destroyed the enclave key this enclave was sealed under, so its secret is gone. Enclaves sealed after the purge use a new key.");
}
