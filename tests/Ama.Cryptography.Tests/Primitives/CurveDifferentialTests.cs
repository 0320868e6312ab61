using NSec.Cryptography;

namespace Ama.Cryptography.Tests.Primitives;

/// <summary>SecureEd25519 and SecureX25519 against NSec on random keys and messages from 0 to 70 KB.</summary>
public sealed class CurveDifferentialTests
{
    private const int MaxMessage = 70 * 1024;

    public static TheoryData<int> MessageSizes()
    {
        var sizes = new TheoryData<int> { 0, 1, 63, 64, 65, 127, 128, MaxMessage };
        var random = new Random(12);
        for (int i = 0; i < 24; i++)
        {
            sizes.Add(random.Next(0, MaxMessage + 1));
        }

        return sizes;
    }

    [Theory]
    [MemberData(nameof(MessageSizes))]
    public void Ed25519_signatures_and_public_keys_equal_NSec_and_each_verifies_the_other(int size)
    {
        byte[] seed = System.Security.Cryptography.RandomNumberGenerator.GetBytes(32);
        byte[] message = System.Security.Cryptography.RandomNumberGenerator.GetBytes(size);
        using var ours = SecureEd25519.FromSeed(seed);
        using var theirs = Key.Import(SignatureAlgorithm.Ed25519, seed, KeyBlobFormat.RawPrivateKey);

        byte[] ourSignature = new byte[64];
        ours.Sign(message, ourSignature);
        byte[] theirSignature = SignatureAlgorithm.Ed25519.Sign(theirs, message);

        Assert.Equal(theirs.PublicKey.Export(KeyBlobFormat.RawPublicKey), ours.PublicKey.ToArray());
        Assert.Equal(theirSignature, ourSignature);
        Assert.True(SignatureAlgorithm.Ed25519.Verify(theirs.PublicKey, message, ourSignature));
        Assert.True(SecureEd25519.Verify(ours.PublicKey, message, theirSignature));

        if (size > 0)
        {
            message[size / 2] ^= 1;
            Assert.False(SecureEd25519.Verify(ours.PublicKey, message, ourSignature));
            Assert.False(SignatureAlgorithm.Ed25519.Verify(theirs.PublicKey, message, ourSignature));
        }
    }

    [Fact]
    public void X25519_public_keys_and_shared_secrets_equal_NSec_for_random_keys()
    {
        var creation = new SharedSecretCreationParameters { ExportPolicy = KeyExportPolicies.AllowPlaintextExport };
        for (int i = 0; i < 64; i++)
        {
            byte[] privateKey = System.Security.Cryptography.RandomNumberGenerator.GetBytes(32);
            using var ours = SecureX25519.FromPrivateKey(privateKey);
            using var theirs = Key.Import(KeyAgreementAlgorithm.X25519, privateKey, KeyBlobFormat.RawPrivateKey);
            using var peer = Key.Create(KeyAgreementAlgorithm.X25519);

            Assert.Equal(theirs.PublicKey.Export(KeyBlobFormat.RawPublicKey), ours.PublicKey.ToArray());
            using SecureBuffer shared = ours.DeriveSharedSecret(peer.PublicKey.Export(KeyBlobFormat.RawPublicKey));
            var ourPublic = PublicKey.Import(KeyAgreementAlgorithm.X25519, ours.PublicKey, KeyBlobFormat.RawPublicKey);
            using SharedSecret expected = KeyAgreementAlgorithm.X25519.Agree(peer, ourPublic, creation)!;
            Assert.Equal(expected.Export(SharedSecretBlobFormat.RawSharedSecret), shared.Span.ToArray());
        }
    }
}
