using System.Security.Cryptography;
using System.Text;
using Ama.Cryptography;

namespace Ama.Samples;

internal static class SecureBufferExample
{
    internal static void Run()
    {
        byte[] message = Encoding.UTF8.GetBytes("hello");
        if (!SecureHmac.IsSupported)
        {
            Console.WriteLine("SecureHmac needs the system's OpenSSL libcrypto");
            return;
        }

        // A random 32-byte key, made in secure memory (secret memory, locked, zeroed on Dispose)
        using (var key = SecureMemory.RandomBytes(32))
        {
            // Use the key where it is: SecureHmac keeps the key and its midstates in secure memory
            using var hmac = new SecureHmac(HashAlgorithmName.SHA256, key);
            byte[] tag = new byte[hmac.HashSizeInBytes];
            hmac.ComputeHash(message, tag);
            Console.WriteLine($"tag: {Convert.ToHexString(tag)}, locked: {key.IsLocked}");
        }

        // key is zeroed (0x00, 0xFF, 0x00), unlocked and freed here, even if an exception was thrown
    }
}
