namespace Ama.Cryptography;

/// <summary>The messages of the key store's AES-256-GCM through libsodium; none of them carries key material.</summary>
internal static partial class Error
{
    internal static ArgumentException AeadLengths() => new(
        "AES-256-GCM needs a 12-byte nonce, a 16-byte tag, a 32-byte key and a ciphertext as long as the plaintext.");
}
