using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace Ama.Cryptography.Tests.Primitives;

/// <summary>
/// Malformed PEM, SubjectPublicKeyInfo and JWK input: each case is a CryptographicException whose message holds no
/// part of the key in any encoding, and which carries no inner exception whose message might.
/// </summary>
public sealed class CurveKeyFormatMalformedTests
{
    // A fixed private key, so that the message check knows what to look for.
    private static readonly byte[] PrivateKey = Convert.FromHexString("4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb");

    public static TheoryData<string> Curves => ["Ed25519", "X25519"];

    [Theory]
    [MemberData(nameof(Curves))]
    public void Malformed_JWKs_are_refused_without_key_bytes_in_the_message(string name)
    {
        KeyFormatCurve curve = KeyFormatCurve.Of(name);
        using var key = curve.FromRaw(PrivateKey);
        using var other = curve.Generate();
        string d = Base64Url.EncodeToString(PrivateKey);
        string x = Base64Url.EncodeToString(key.PublicKey);
        string crv = curve.Name;
        string Jwk(string kty = "\"OKP\"", string? curveName = null, string? dValue = null, string? xValue = null) =>
            $$"""{"kty":{{kty}},"crv":"{{curveName ?? crv}}","d":"{{dValue ?? d}}","x":"{{xValue ?? x}}"}""";

        var cases = new Dictionary<string, string>
        {
            ["control, well formed"] = Jwk(),
            ["kty EC"] = Jwk(kty: "\"EC\""),
            ["kty a number"] = Jwk(kty: "1"),
            ["the other curve"] = Jwk(curveName: curve.Other.Name),
            ["curve Ed448"] = Jwk(curveName: "Ed448"),
            ["d of 31 bytes"] = Jwk(dValue: Base64Url.EncodeToString(PrivateKey.AsSpan(0, 31))),
            ["d of 33 bytes"] = Jwk(dValue: Base64Url.EncodeToString([.. PrivateKey, 1])),
            ["d padded"] = Jwk(dValue: d + "="),
            ["d with a character outside base64url"] = Jwk(dValue: "!" + d[1..]),
            ["d in standard base64 with + or /"] = Jwk(dValue: "+/" + d[2..]),
            ["d with a JSON escape"] = Jwk(dValue: "\\u00" + Convert.ToHexString([(byte)d[0]]) + d[1..]),
            ["x of 31 bytes"] = Jwk(xValue: x[..^2]),
            ["x of another key"] = Jwk(xValue: Base64Url.EncodeToString(other.PublicKey)),
            ["d missing"] = $$"""{"kty":"OKP","crv":"{{crv}}","x":"{{x}}"}""",
            ["x missing"] = $$"""{"kty":"OKP","crv":"{{crv}}","d":"{{d}}"}""",
            ["crv missing"] = $$"""{"kty":"OKP","d":"{{d}}","x":"{{x}}"}""",
            ["d twice"] = $$"""{"kty":"OKP","crv":"{{crv}}","d":"{{d}}","d":"{{d}}","x":"{{x}}"}""",
            ["trailing text"] = Jwk() + " " + d,
            ["a second object"] = Jwk() + "{}",
            ["not closed"] = Jwk()[..^1],
            ["a comment"] = "/* " + d + " */" + Jwk(),
            ["an array"] = "[" + Jwk() + "]",
            ["empty"] = string.Empty,
        };

        foreach ((string label, string json) in cases)
        {
            byte[] input = Encoding.UTF8.GetBytes(json);
            if (label.StartsWith("control", StringComparison.Ordinal))
            {
                using var accepted = curve.FromJwk(input);
                continue;
            }

            AssertRefusedWithoutKey(label, () => curve.FromJwk(input).Dispose());
        }
    }

    [Theory]
    [MemberData(nameof(Curves))]
    public void Malformed_PEMs_are_refused_without_key_bytes_in_the_message(string name)
    {
        KeyFormatCurve curve = KeyFormatCurve.Of(name);
        using var key = curve.FromRaw(PrivateKey);
        using var otherCurve = curve.Other.FromRaw(PrivateKey);
        using SecureBuffer pemBuffer = key.ExportPkcs8PrivateKeyPem();
        using SecureBuffer otherPem = otherCurve.ExportPkcs8PrivateKeyPem();
        string pem = Encoding.ASCII.GetString(pemBuffer.Span);
        string body = pem.Split('\n')[1];
        byte[] der = Convert.FromBase64String(body);
        string Pem(string base64, string label = "PRIVATE KEY") => $"-----BEGIN {label}-----\n{base64}\n-----END {label}-----\n";

        var cases = new Dictionary<string, string>
        {
            ["control, well formed"] = pem,
            ["control, CRLF and leading blank lines"] = "\r\n\r\n" + pem.Replace("\n", "\r\n", StringComparison.Ordinal),
            ["the other curve's OID"] = Encoding.ASCII.GetString(otherPem.Span),
            ["label PUBLIC KEY"] = Pem(body, "PUBLIC KEY"),
            ["label EC PRIVATE KEY"] = Pem(body, "EC PRIVATE KEY"),
            ["DER one byte short"] = Pem(Convert.ToBase64String(der[..^1])),
            ["DER with a trailing byte"] = Pem(Convert.ToBase64String([.. der, 0])),
            ["bad base64"] = Pem("!" + body[1..]),
            ["text after the block"] = pem + "trailer " + body,
            ["text before the block"] = "key: " + pem,
            ["a second block"] = pem + pem,
            ["no END line"] = pem[..pem.IndexOf("-----END", StringComparison.Ordinal)],
            ["bare base64"] = body,
            ["empty"] = string.Empty,
        };

        foreach ((string label, string text) in cases)
        {
            byte[] input = Encoding.ASCII.GetBytes(text);
            if (label.StartsWith("control", StringComparison.Ordinal))
            {
                using var accepted = curve.FromPem(input);
                Assert.Equal(key.PublicKey, accepted.PublicKey);
                continue;
            }

            AssertRefusedWithoutKey(label, () => curve.FromPem(input).Dispose());
        }
    }

    [Theory]
    [MemberData(nameof(Curves))]
    public void Malformed_SubjectPublicKeyInfo_is_refused_with_CryptographicException(string name)
    {
        KeyFormatCurve curve = KeyFormatCurve.Of(name);
        using var key = curve.FromRaw(PrivateKey);
        using var otherCurve = curve.Other.FromRaw(PrivateKey);
        byte[] der = key.ExportSubjectPublicKeyInfo();
        string pem = key.ExportSubjectPublicKeyInfoPem();
        string body = pem.Split('\n')[1];

        var cases = new Dictionary<string, byte[]>
        {
            ["control, DER"] = der,
            ["control, PEM"] = Encoding.ASCII.GetBytes(pem),
            ["the other curve's OID"] = otherCurve.ExportSubjectPublicKeyInfo(),
            ["the other curve's OID, PEM"] = Encoding.ASCII.GetBytes(otherCurve.ExportSubjectPublicKeyInfoPem()),
            ["DER with a trailing byte"] = [.. der, 0],
            ["DER one byte short"] = der[..^1],
            ["PEM label PRIVATE KEY"] = Encoding.ASCII.GetBytes(pem.Replace("PUBLIC", "PRIVATE", StringComparison.Ordinal)),
            ["PEM with bad base64"] = Encoding.ASCII.GetBytes(pem.Replace(body, "!" + body[1..], StringComparison.Ordinal)),
            ["PEM with text after it"] = Encoding.ASCII.GetBytes(pem + "x"),
            ["empty"] = [],
        };

        foreach ((string label, byte[] input) in cases)
        {
            if (label.StartsWith("control", StringComparison.Ordinal))
            {
                Assert.Equal(key.PublicKey, curve.PublicKeyFromSpki(input));
                continue;
            }

            AssertRefusedWithoutKey(label, () => curve.PublicKeyFromSpki(input));
        }
    }

    [Fact]
    public void Control_the_message_check_finds_a_key_quoted_in_any_of_its_encodings()
    {
        Assert.True(QuotesKey("bad d: " + Base64Url.EncodeToString(PrivateKey)[5..20]));
        Assert.True(QuotesKey("bad d: " + Convert.ToHexString(PrivateKey)[10..20]));
        Assert.True(QuotesKey("bad d: " + Convert.ToBase64String([.. new byte[16], .. PrivateKey])[30..40]));
        Assert.False(QuotesKey("The data is not an RFC 8037 Ed25519 private JWK."));
    }

    private static void AssertRefusedWithoutKey(string label, Action read)
    {
        CryptographicException? error = null;
        try
        {
            read();
        }
        catch (CryptographicException e)
        {
            error = e;
        }

        Assert.True(error is not null, $"case '{label}' was accepted");
        Assert.True(error.InnerException is null, $"case '{label}' carries an inner exception");
        Assert.False(QuotesKey(error.Message), $"case '{label}' quotes the key: {error.Message}");
    }

    /// <summary>Whether <paramref name="message"/> holds 8 consecutive characters of the key in hex, base64url or base64 (also at the PKCS#8 offset).</summary>
    private static bool QuotesKey(string message)
    {
        string[] encodings =
        [
            Convert.ToHexString(PrivateKey),
            Convert.ToHexStringLower(PrivateKey),
            Base64Url.EncodeToString(PrivateKey),
            Convert.ToBase64String(PrivateKey),
            Convert.ToBase64String([.. new byte[16], .. PrivateKey])[22..],
        ];
        return encodings.Any(text => Enumerable.Range(0, text.Length - 8).Any(i => message.Contains(text.Substring(i, 8), StringComparison.Ordinal)));
    }
}
