using System.Security.Cryptography;
using System.Text;
using Ama.Cryptography;
using Ama.Cryptography.KeyManagement;

namespace Ama.Samples;

internal static class KeyRingExample
{
    internal static void Run()
    {
        using var storage = new SecureKeyStorage(RandomNumberGenerator.GetBytes(32));
        storage.Store("orders", RandomNumberGenerator.GetBytes(32));

        // Encrypt with the newest version of "orders"; the ciphertext names the version it used
        using var ring = KeyRingAead.Open(storage, "orders");
        byte[] sealedCard = ring.Encrypt(Encoding.UTF8.GetBytes("4111 1111 1111 1111"), "order-1234"u8);

        // Rotate: store a new version (in this process or any other sharing the store)
        storage.Store("orders", RandomNumberGenerator.GetBytes(32));
        byte[] sealedLater = ring.Encrypt(Encoding.UTF8.GetBytes("5500 0000 0000 0004"), "order-1234"u8);

        // Both decrypt: each with the version it names
        using SecureBuffer card = ring.DecryptToSecureBuffer(sealedCard, "order-1234"u8);
        Console.WriteLine($"{card.Length} + {ring.Decrypt(sealedLater, "order-1234"u8).Length} bytes decrypted");
    }
}
