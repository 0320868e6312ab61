using System.Security.Cryptography;

namespace Ama.Cryptography;

/// <summary>The messages of SecureEnclave; none carries secret or ciphertext bytes.</summary>
internal static partial class Error
{
    internal static CryptographicException EnclaveTampered() => new(
        "The enclave does not verify: its nonce, ciphertext or tag was changed, so nothing was decrypted.");

    internal static ObjectDisposedException EnclaveKeyPurged() => new(
        nameof(SecureEnclave),
        "SecureMemory.PurgeAll destroyed the enclave key this enclave was sealed under, so its secret is gone. Enclaves sealed after the purge use a new key.");
}
