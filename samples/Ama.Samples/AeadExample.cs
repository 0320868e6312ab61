using System.Security.Cryptography;
using System.Text;
using Ama.Cryptography;
using Ama.Cryptography.KeyManagement;

namespace Ama.Samples;

internal static class AeadExample
{
    internal static void Run()
    {
        byte[] plaintext = Encoding.UTF8.GetBytes("card 4111 1111 1111 1111");
        using var storage = new SecureKeyStorage(RandomNumberGenerator.GetBytes(32));
        storage.Store("payments", RandomNumberGenerator.GetBytes(32));

        // Use a stored key without it ever leaving secure memory: the AES round keys stay there too
        SecureBuffer key = storage.Retrieve("payments");
        using var aes = new SecureAesGcm(key);   // copies the key schedule into its own secure memory
        key.Dispose();                           // so the retrieved copy can go at once

        byte[] nonce = RandomNumberGenerator.GetBytes(12);
        byte[] ciphertext = new byte[plaintext.Length];
        byte[] tag = new byte[16];
        aes.Encrypt(nonce, plaintext, ciphertext, tag);

        // A decrypted secret goes straight into secure memory; a wrong tag throws AuthenticationTagMismatchException
        using SecureBuffer opened = aes.DecryptToSecureBuffer(nonce, ciphertext, tag);
        Console.WriteLine($"round trip: {opened.Span.SequenceEqual(plaintext)}");
    }
}
