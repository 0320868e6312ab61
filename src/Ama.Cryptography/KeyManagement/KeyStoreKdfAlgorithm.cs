namespace Ama.Cryptography.KeyManagement;

/// <summary>The password-based key derivation functions a key store can use.</summary>
public enum KeyStoreKdfAlgorithm
{
    /// <summary>Argon2id (RFC 9106) through libsodium, one lane. The default.</summary>
    Argon2id = 1,

    /// <summary>PBKDF2-HMAC-SHA256 (NIST SP 800-132), for deployments that must use FIPS-approved algorithms.</summary>
    Pbkdf2Sha256 = 2,
}
