using System.Security.Cryptography;
using System.Text;
using Ama.Cryptography;
using Ama.Cryptography.KeyManagement;

namespace Ama.Samples;

internal static class HmacExample
{
    internal static void Run()
    {
        byte[] message = Encoding.UTF8.GetBytes("hello");
        byte[] salt = RandomNumberGenerator.GetBytes(32);
        using var storage = new SecureKeyStorage(RandomNumberGenerator.GetBytes(32));
        using (SecureBuffer generated = SecureMemory.RandomBytes(32))
        {
            storage.Store("api-signing", generated.Span);
        }

        if (!SecureHmac.IsSupported)
        {
            Console.WriteLine("SecureHmac needs the system's OpenSSL libcrypto");
            return;
        }

        // HMAC with a stored key: the key and the HMAC's key schedule (its midstates) stay in secure memory
        using SecureBuffer key = storage.Retrieve("api-signing");
        using var hmac = new SecureHmac(HashAlgorithmName.SHA256, key);
        Span<byte> tag = stackalloc byte[hmac.HashSizeInBytes];
        hmac.ComputeHash(message, tag);
        Console.WriteLine($"HMAC valid: {hmac.Verify(message, tag)}");

        // HKDF: the pseudorandom key and the derived key live in secure memory too
        using SecureBuffer sessionKey = SecureHkdf.DeriveKey(HashAlgorithmName.SHA256, key, 32, salt, "session v1"u8);
        Console.WriteLine($"derived {sessionKey.Length} bytes");
    }
}
