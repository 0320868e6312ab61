using System.Security.Cryptography;
using System.Text;
using Ama.Cryptography;
using Ama.Cryptography.KeyManagement;

namespace Ama.Samples;

internal static class CurveExample
{
    internal static void Run()
    {
        byte[] message = Encoding.UTF8.GetBytes("hello");
        using var storage = new SecureKeyStorage(RandomNumberGenerator.GetBytes(32));
        using (var generated = SecureEd25519.Generate())
        using (SecureBuffer exported = generated.ExportSeed())
        {
            storage.Store("signing-key", exported.Span);
        }

        // Ed25519 from the key store: the seed goes from one SecureBuffer into the signer's own secure memory
        using (SecureBuffer seed = storage.Retrieve("signing-key"))
        using (var signer = SecureEd25519.FromSeed(seed))
        {
            byte[] signature = new byte[SecureEd25519.SignatureSize];
            signer.Sign(message, signature);
            Console.WriteLine($"signature valid: {SecureEd25519.Verify(signer.PublicKey, message, signature)}");
        }

        // X25519: the shared secret comes back in a SecureBuffer; a low-order peer key throws CryptographicException
        using var alice = SecureX25519.Generate();
        using var bob = SecureX25519.Generate();
        using SecureBuffer aliceShared = alice.DeriveSharedSecret(bob.PublicKey);
        using SecureBuffer bobShared = bob.DeriveSharedSecret(alice.PublicKey);
        Console.WriteLine($"agreed: {SecureMemory.ConstantTimeEquals(aliceShared.Span, bobShared.Span)}");
    }
}
