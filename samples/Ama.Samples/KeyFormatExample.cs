using System.Security.Cryptography;
using Ama.Cryptography;
using Ama.Cryptography.KeyManagement;

namespace Ama.Samples;

internal static class KeyFormatExample
{
    internal static void Run()
    {
        using var storage = new SecureKeyStorage(RandomNumberGenerator.GetBytes(32));
        using (var generated = SecureEd25519.Generate())
        using (SecureBuffer exported = generated.ExportPkcs8PrivateKeyPem())
        {
            storage.Store("signing-key-pem", exported.Span);
        }

        // A PKCS#8 PEM key (as `openssl genpkey -algorithm ed25519` writes it), kept in the key store: the PEM text,
        // its base64 and the DER inside it are read in secure memory only
        using (SecureBuffer pem = storage.Retrieve("signing-key-pem"))
        using (var signer = SecureEd25519.FromPem(pem.Span))
        {
            Console.Write(signer.ExportSubjectPublicKeyInfoPem()); // the text of `openssl pkey -pubout`
            Console.WriteLine(signer.ExportPublicJwk());          // {"kty":"OKP","crv":"Ed25519","x":"..."}
        }

        // A private JWK (RFC 8037) out and back in: the JSON is written into, and read from, secure memory
        using var agreement = SecureX25519.Generate();
        using SecureBuffer jwk = agreement.ExportJwk();
        using var restored = SecureX25519.FromJwk(jwk.Span);
        byte[] publicKey = SecureX25519.PublicKeyFromSubjectPublicKeyInfo(restored.ExportSubjectPublicKeyInfo());
        Console.WriteLine($"same key: {publicKey.AsSpan().SequenceEqual(agreement.PublicKey)}");
    }
}
