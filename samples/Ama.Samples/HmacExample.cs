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
            storage.Store("master", generated.Span);
        }

        if (!SecureHmac.IsSupported)
        {
            Console.WriteLine("SecureHmac needs the system's OpenSSL libcrypto");
            return;
        }

        StoredKey(storage, message, salt);
        SignAndVerify(storage, message, receivedTag: new byte[32]);
        if (SecureAesGcm.IsSupported)
        {
            DerivePerPurpose(storage, salt);
        }
    }

    private static void StoredKey(SecureKeyStorage storage, byte[] message, byte[] salt)
    {
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

    private static void SignAndVerify(SecureKeyStorage storage, byte[] message, byte[] receivedTag)
    {
        // Sign: the HMAC key and its midstates stay in secure memory
        using SecureBuffer key = storage.Retrieve("api-signing");
        using var hmac = new SecureHmac(HashAlgorithmName.SHA256, key);
        byte[] tag = new byte[hmac.HashSizeInBytes];
        hmac.ComputeHash(message, tag);

        // Verify: recomputes the HMAC into secure memory and compares in constant time (a truncated tag never matches)
        bool valid = hmac.Verify(message, receivedTag);

        // Input in pieces: AppendData, then GetHashAndReset
        hmac.AppendData("header"u8);
        hmac.AppendData(message);
        hmac.GetHashAndReset(tag);

        // Comparing two tags yourself: constant time, never SequenceEqual, which stops at the first difference
        bool same = SecureMemory.ConstantTimeEquals(tag, receivedTag);
        Console.WriteLine($"received tag valid: {valid}, same as the header tag: {same}");
    }

    private static void DerivePerPurpose(SecureKeyStorage storage, byte[] salt)
    {
        // HKDF (RFC 5869): one stored master key, a separate key per purpose; the PRK and the outputs stay in secure memory
        using SecureBuffer master = storage.Retrieve("master");
        using SecureBuffer encryptionKey = SecureHkdf.DeriveKey(HashAlgorithmName.SHA256, master, 32, salt, "orders v1 encryption"u8);
        using SecureBuffer macKey = SecureHkdf.DeriveKey(HashAlgorithmName.SHA256, master, 32, salt, "orders v1 mac"u8);

        using var aes = new SecureAesGcm(encryptionKey);
        using var hmac = new SecureHmac(HashAlgorithmName.SHA256, macKey);
        Console.WriteLine($"derived an AES-GCM key and an HMAC key ({hmac.HashSizeInBytes}-byte tags)");
    }
}
