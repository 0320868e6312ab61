using Ama.Cli.Secrets;
using Ama.Cryptography;

namespace Ama.Cli.KeyStore;

/// <summary>
/// A fresh key made in secure memory for <c>generate</c>: the private part as it is stored (the
/// 32-byte Ed25519 seed, the 32-byte X25519 private key, or random bytes) in a registered
/// SecureBuffer, so Ctrl-C zeroes it, and the public key for the curve types.
/// </summary>
internal static class GeneratedKey
{
    internal static (SecureBuffer Private, byte[]? PublicKey) Create(KeyType type)
    {
        switch (type.Name)
        {
            case "ed25519":
            {
                using SecureEd25519 key = SecureEd25519.Generate();
                return (HeldSecrets.Track(key.ExportSeed()), key.PublicKey.ToArray());
            }

            case "x25519":
            {
                using SecureX25519 key = SecureX25519.Generate();
                return (HeldSecrets.Track(key.ExportPrivateKey()), key.PublicKey.ToArray());
            }

            default:
                return (HeldSecrets.Track(SecureMemory.RandomBytes(type.RandomLength)), null);
        }
    }
}
