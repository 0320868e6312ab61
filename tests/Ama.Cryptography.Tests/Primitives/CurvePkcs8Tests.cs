using System.Security.Cryptography;
using NSec.Cryptography;

namespace Ama.Cryptography.Tests.Primitives;

/// <summary>PKCS#8 DER import and export of SecureEd25519 and SecureX25519, checked against NSec's PkixPrivateKey.</summary>
public sealed class CurvePkcs8Tests
{
    [Fact]
    public void Ed25519_PKCS8_export_equals_NSec_and_both_import_each_other()
    {
        byte[] seed = RandomNumberGenerator.GetBytes(32);
        using var ours = SecureEd25519.FromSeed(seed);
        using var theirs = Key.Import(SignatureAlgorithm.Ed25519, seed, KeyBlobFormat.RawPrivateKey, new KeyCreationParameters { ExportPolicy = KeyExportPolicies.AllowPlaintextExport });
        using SecureBuffer exported = ours.ExportPkcs8PrivateKey();
        byte[] expected = theirs.Export(KeyBlobFormat.PkixPrivateKey);

        Assert.Equal(expected, exported.Span.ToArray());
        using var imported = SecureEd25519.FromPkcs8PrivateKey(expected);
        Assert.Equal(ours.PublicKey.ToArray(), imported.PublicKey.ToArray());
        using var back = Key.Import(SignatureAlgorithm.Ed25519, exported.Span, KeyBlobFormat.PkixPrivateKey);
        Assert.Equal(theirs.PublicKey.Export(KeyBlobFormat.RawPublicKey), back.PublicKey.Export(KeyBlobFormat.RawPublicKey));
    }

    [Fact]
    public void X25519_PKCS8_export_equals_NSec_and_both_import_each_other()
    {
        byte[] privateKey = RandomNumberGenerator.GetBytes(32);
        using var ours = SecureX25519.FromPrivateKey(privateKey);
        using var theirs = Key.Import(KeyAgreementAlgorithm.X25519, privateKey, KeyBlobFormat.RawPrivateKey, new KeyCreationParameters { ExportPolicy = KeyExportPolicies.AllowPlaintextExport });
        using SecureBuffer exported = ours.ExportPkcs8PrivateKey();
        byte[] expected = theirs.Export(KeyBlobFormat.PkixPrivateKey);

        Assert.Equal(expected, exported.Span.ToArray());
        using var imported = SecureX25519.FromPkcs8PrivateKey(expected);
        using SecureBuffer raw = imported.ExportPrivateKey();
        Assert.Equal(privateKey, raw.Span.ToArray());
    }

    [Fact]
    public void Malformed_or_foreign_PKCS8_is_refused_with_CryptographicException()
    {
        using var ed = SecureEd25519.Generate();
        using var x = SecureX25519.Generate();
        using SecureBuffer edDer = ed.ExportPkcs8PrivateKey();
        using SecureBuffer xDer = x.ExportPkcs8PrivateKey();
        byte[] edBytes = edDer.Span.ToArray();

        // The other curve's encoding, a truncated one, one with a trailing byte, a flipped version byte.
        Assert.Throws<CryptographicException>(() => SecureEd25519.FromPkcs8PrivateKey(xDer.Span));
        Assert.Throws<CryptographicException>(() => SecureX25519.FromPkcs8PrivateKey(edDer.Span));
        Assert.Throws<CryptographicException>(() => SecureEd25519.FromPkcs8PrivateKey(edBytes.AsSpan(0, 47)));
        Assert.Throws<CryptographicException>(() => SecureEd25519.FromPkcs8PrivateKey([.. edBytes, 0]));
        edBytes[4] = 1;
        Assert.Throws<CryptographicException>(() => SecureEd25519.FromPkcs8PrivateKey(edBytes));
        Assert.Throws<CryptographicException>(() => SecureX25519.FromPkcs8PrivateKey(default));
    }

    [Fact]
    public void PKCS8_export_after_Dispose_throws_ObjectDisposedException()
    {
        var ed = SecureEd25519.Generate();
        var x = SecureX25519.Generate();
        ed.Dispose();
        x.Dispose();
        Assert.Throws<ObjectDisposedException>(() => ed.ExportPkcs8PrivateKey());
        Assert.Throws<ObjectDisposedException>(() => x.ExportPkcs8PrivateKey());
    }
}
