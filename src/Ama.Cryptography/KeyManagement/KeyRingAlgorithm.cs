namespace Ama.Cryptography.KeyManagement;

/// <summary>The AEAD a <see cref="KeyRingAead"/> ciphertext was sealed with; the value is the byte written in its header.</summary>
internal enum KeyRingAlgorithm : byte
{
    /// <summary>XChaCha20-Poly1305: 24-byte nonce, 16-byte tag. Runs on every CPU.</summary>
    XChaCha20Poly1305 = 1,

    /// <summary>AEGIS-256: 32-byte nonce, 32-byte tag; chosen where <see cref="SecureAegis256.IsSupported"/> (wherever libsodium loads).</summary>
    Aegis256 = 2,
}
