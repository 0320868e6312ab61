namespace Ama.Cryptography;

/// <summary>The messages of the key store's AES-256-GCM through libsodium; none of them carries key material.</summary>
internal static partial class Error
{
    internal static InvalidOperationException SodiumAeadFailed(string function) => new(
        Format("libsodium's {0} failed although crypto_aead_aes256gcm_is_available() reported AES-256-GCM as available.", function));

    internal static ArgumentException AeadLengths() => new(
        "AES-256-GCM needs a 12-byte nonce, a 16-byte tag, a 32-byte key and a ciphertext as long as the plaintext.");
}
