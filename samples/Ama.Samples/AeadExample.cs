using System.Buffers.Binary;
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
        storage.Store("stream", RandomNumberGenerator.GetBytes(32));

        if (SecureAesGcm.IsSupported)
        {
            StoredKey(storage, plaintext);
            AesGcmWithAssociatedData(storage, plaintext);
        }
        else
        {
            Console.WriteLine("SecureAesGcm needs AES-NI and PCLMULQDQ, or the ARMv8 crypto extensions");
        }

        ChaChaWithCounter(storage, plaintext, messageNumber: 1);
    }

    private static void StoredKey(SecureKeyStorage storage, byte[] plaintext)
    {
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

    private static void AesGcmWithAssociatedData(SecureKeyStorage storage, byte[] plaintext)
    {
        // AES-256-GCM with a stored key: the key and its round keys stay in secure memory
        using SecureBuffer key = storage.Retrieve("payments");
        using var aes = new SecureAesGcm(key);

        // A nonce must never repeat under one key: 12 random bytes are safe for up to 2^32 messages per key
        byte[] nonce = RandomNumberGenerator.GetBytes(12);
        byte[] ciphertext = new byte[plaintext.Length];
        byte[] tag = new byte[16];
        aes.Encrypt(nonce, plaintext, ciphertext, tag, "order 42"u8);   // the associated data is authenticated, not encrypted

        // Keep or send nonce, ciphertext and tag together. A secret plaintext decrypts straight into secure memory;
        // a wrong key, nonce, tag or associated data throws AuthenticationTagMismatchException
        using SecureBuffer opened = aes.DecryptToSecureBuffer(nonce, ciphertext, tag, "order 42"u8);
        Console.WriteLine($"AES-GCM round trip: {opened.Span.SequenceEqual(plaintext)}");
    }

    private static void ChaChaWithCounter(SecureKeyStorage storage, byte[] plaintext, ulong messageNumber)
    {
        if (!SecureChaCha20Poly1305.IsSupported)
        {
            Console.WriteLine("SecureChaCha20Poly1305 needs libsodium");
            return;
        }

        // ChaCha20-Poly1305 (runs on every CPU, no AES instructions needed), here with a counter nonce: 4 zero bytes, then a 64-bit message number
        // that is never reused under this key (persist it, or derive a fresh key per session)
        using SecureBuffer key = storage.Retrieve("stream");
        using var chacha = new SecureChaCha20Poly1305(key);

        byte[] nonce = new byte[12];
        BinaryPrimitives.WriteUInt64BigEndian(nonce.AsSpan(4), messageNumber);
        byte[] ciphertext = new byte[plaintext.Length];
        byte[] tag = new byte[16];
        chacha.Encrypt(nonce, plaintext, ciphertext, tag);

        using SecureBuffer opened = chacha.DecryptToSecureBuffer(nonce, ciphertext, tag);
        Console.WriteLine($"ChaCha20-Poly1305 round trip: {opened.Span.SequenceEqual(plaintext)}");
    }
}
