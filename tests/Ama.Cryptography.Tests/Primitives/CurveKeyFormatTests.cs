using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using NSec.Cryptography;

namespace Ama.Cryptography.Tests.Primitives;

/// <summary>PEM, SubjectPublicKeyInfo and JWK of SecureEd25519 and SecureX25519: NSec both ways, the RFC 8037 vectors, round trips.</summary>
public sealed class CurveKeyFormatTests
{
    // RFC 8037 Appendix A.1 and A.2 (the key of RFC 8032's first test).
    private const string Rfc8037PrivateJwk = """{"kty":"OKP","crv":"Ed25519","d":"nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}""";
    private const string Rfc8037PublicJwk = """{"kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}""";
    private const string Rfc8032Seed = "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60";
    private const string Rfc8032PublicKey = "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a";

    // RFC 8037 Appendix A.6: the ephemeral key (RFC 7748 section 6.1's Alice), Bob's public JWK and the shared Z.
    private const string Rfc7748AlicePrivate = "77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a";
    private const string Rfc8037EphemeralPublicJwk = """{"kty":"OKP","crv":"X25519","x":"hSDwCYkwp1R0i33ctD73Wg2_Og0mOBr066SpjqqbTmo"}""";
    private const string Rfc8037BobX = "3p7bfXt9wbTTW2HC7OQ1Nz-DQ8hbeGdNrfx-FG-IK08";
    private const string Rfc8037SharedZ = "4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742";

    public static TheoryData<string> Curves => ["Ed25519", "X25519"];

    [Fact]
    public void RFC_8037_A1_private_JWK_gives_the_RFC_8032_key_and_exports_back_to_itself()
    {
        using var key = SecureEd25519.FromJwk(Encoding.UTF8.GetBytes(Rfc8037PrivateJwk));
        using SecureBuffer seed = key.ExportSeed();
        using SecureBuffer jwk = key.ExportJwk();

        Assert.Equal(Convert.FromHexString(Rfc8032Seed), seed.Span.ToArray());
        Assert.Equal(Convert.FromHexString(Rfc8032PublicKey), key.PublicKey.ToArray());
        Assert.Equal(Rfc8037PrivateJwk, Encoding.UTF8.GetString(jwk.Span));
        Assert.Equal(Rfc8037PublicJwk, key.ExportPublicJwk());
    }

    [Fact]
    public void RFC_8037_A6_X25519_ephemeral_key_exports_the_RFC_public_JWK_and_agrees_on_Z()
    {
        using var alice = SecureX25519.FromPrivateKey(Convert.FromHexString(Rfc7748AlicePrivate));
        byte[] bob = Base64Url.DecodeFromChars(Rfc8037BobX);
        using SecureBuffer z = alice.DeriveSharedSecret(bob);
        using SecureBuffer jwk = alice.ExportJwk();
        using var back = SecureX25519.FromJwk(jwk.Span);
        using SecureBuffer backRaw = back.ExportPrivateKey();

        Assert.Equal(Rfc8037EphemeralPublicJwk, alice.ExportPublicJwk());
        Assert.Equal(Convert.FromHexString(Rfc8037SharedZ), z.Span.ToArray());
        Assert.Equal(Convert.FromHexString(Rfc7748AlicePrivate), backRaw.Span.ToArray());
    }

    [Theory]
    [MemberData(nameof(Curves))]
    public void JWK_and_PEM_round_trips_keep_the_private_key(string name)
    {
        KeyFormatCurve curve = KeyFormatCurve.Of(name);
        using var key = curve.Generate();
        using SecureBuffer raw = key.ExportRaw();
        using SecureBuffer jwk = key.ExportJwk();
        using SecureBuffer pem = key.ExportPkcs8PrivateKeyPem();
        using var fromJwk = curve.FromJwk(jwk.Span);
        using var fromPem = curve.FromPem(pem.Span);
        using SecureBuffer rawFromJwk = fromJwk.ExportRaw();
        using SecureBuffer rawFromPem = fromPem.ExportRaw();

        Assert.Equal(raw.Span.ToArray(), rawFromJwk.Span.ToArray());
        Assert.Equal(raw.Span.ToArray(), rawFromPem.Span.ToArray());
        Assert.Equal(key.PublicKey, curve.PublicKeyFromSpki(key.ExportSubjectPublicKeyInfo()));
        Assert.Equal(key.PublicKey, curve.PublicKeyFromSpki(Encoding.ASCII.GetBytes(key.ExportSubjectPublicKeyInfoPem())));
    }

    [Theory]
    [MemberData(nameof(Curves))]
    public void A_JWK_with_other_members_in_any_order_and_whitespace_is_read(string name)
    {
        KeyFormatCurve curve = KeyFormatCurve.Of(name);
        using var key = curve.Generate();
        using SecureBuffer raw = key.ExportRaw();
        string json = $$"""
            { "x" : "{{Base64Url.EncodeToString(key.PublicKey)}}", "use": "sig", "key_ops": ["sign", {"a": [1]}],
              "d": "{{Base64Url.EncodeToString(raw.Span)}}", "crv": "{{curve.Name}}", "kty": "OKP", "kid": null }
            """;

        using var read = curve.FromJwk(Encoding.UTF8.GetBytes(json));

        Assert.Equal(key.PublicKey, read.PublicKey);
    }

    [Theory]
    [MemberData(nameof(Curves))]
    public void NSec_text_and_raw_formats_are_read_and_written_both_ways(string name)
    {
        KeyFormatCurve curve = KeyFormatCurve.Of(name);
        byte[] rawKey = RandomNumberGenerator.GetBytes(32);
        using var theirs = Key.Import(curve.NSecAlgorithm, rawKey, KeyBlobFormat.RawPrivateKey, new KeyCreationParameters { ExportPolicy = KeyExportPolicies.AllowPlaintextExport });
        using var ours = curve.FromPem(theirs.Export(KeyBlobFormat.PkixPrivateKeyText));
        using SecureBuffer ourPem = ours.ExportPkcs8PrivateKeyPem();
        using SecureBuffer ourRaw = ours.ExportRaw();
        using var back = Key.Import(curve.NSecAlgorithm, ourPem.Span, KeyBlobFormat.PkixPrivateKeyText, new KeyCreationParameters { ExportPolicy = KeyExportPolicies.AllowPlaintextExport });

        Assert.Equal(rawKey, ourRaw.Span.ToArray());
        Assert.Equal(rawKey, back.Export(KeyBlobFormat.RawPrivateKey));
        Assert.Equal(theirs.PublicKey.Export(KeyBlobFormat.RawPublicKey), ours.PublicKey);
        Assert.Equal(theirs.PublicKey.Export(KeyBlobFormat.PkixPublicKey), ours.ExportSubjectPublicKeyInfo());
        Assert.Equal(ours.PublicKey, curve.PublicKeyFromSpki(theirs.PublicKey.Export(KeyBlobFormat.PkixPublicKeyText)));
        var theirPublic = NSec.Cryptography.PublicKey.Import(curve.NSecAlgorithm, Encoding.ASCII.GetBytes(ours.ExportSubjectPublicKeyInfoPem()), KeyBlobFormat.PkixPublicKeyText);
        Assert.Equal(ours.PublicKey, theirPublic.Export(KeyBlobFormat.RawPublicKey));
    }

    [Fact]
    public void Exports_after_Dispose_throw_ObjectDisposedException()
    {
        var ed = SecureEd25519.Generate();
        var x = SecureX25519.Generate();
        ed.Dispose();
        x.Dispose();

        Assert.Throws<ObjectDisposedException>(() => ed.ExportPkcs8PrivateKeyPem());
        Assert.Throws<ObjectDisposedException>(() => ed.ExportJwk());
        Assert.Throws<ObjectDisposedException>(() => ed.ExportPublicJwk());
        Assert.Throws<ObjectDisposedException>(() => ed.ExportSubjectPublicKeyInfo());
        Assert.Throws<ObjectDisposedException>(() => ed.ExportSubjectPublicKeyInfoPem());
        Assert.Throws<ObjectDisposedException>(() => x.ExportPkcs8PrivateKeyPem());
        Assert.Throws<ObjectDisposedException>(() => x.ExportJwk());
        Assert.Throws<ObjectDisposedException>(() => x.ExportPublicJwk());
        Assert.Throws<ObjectDisposedException>(() => x.ExportSubjectPublicKeyInfo());
        Assert.Throws<ObjectDisposedException>(() => x.ExportSubjectPublicKeyInfoPem());
    }
}
