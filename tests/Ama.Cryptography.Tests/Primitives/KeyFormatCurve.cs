namespace Ama.Cryptography.Tests.Primitives;

/// <summary>One of the two RFC 8410 curves, so that each key-format test runs against SecureEd25519 and SecureX25519 alike.</summary>
public sealed class KeyFormatCurve
{
    private KeyFormatCurve(bool ed25519) => IsEd25519 = ed25519;

    public static KeyFormatCurve Ed25519 { get; } = new(ed25519: true);

    public static KeyFormatCurve X25519 { get; } = new(ed25519: false);

    public bool IsEd25519 { get; }

    public string Name => IsEd25519 ? "Ed25519" : "X25519";

    public string OpenSslName => Name.ToLowerInvariant();

    public NSec.Cryptography.Algorithm NSecAlgorithm =>
        IsEd25519 ? NSec.Cryptography.SignatureAlgorithm.Ed25519 : NSec.Cryptography.KeyAgreementAlgorithm.X25519;

    public KeyFormatCurve Other => IsEd25519 ? X25519 : Ed25519;

    public static KeyFormatCurve Of(string name) => name == "Ed25519" ? Ed25519 : X25519;

    public KeyFormatKey Generate() => IsEd25519 ? new KeyFormatKey(SecureEd25519.Generate()) : new KeyFormatKey(SecureX25519.Generate());

    public KeyFormatKey FromRaw(ReadOnlySpan<byte> raw) => IsEd25519 ? new KeyFormatKey(SecureEd25519.FromSeed(raw)) : new KeyFormatKey(SecureX25519.FromPrivateKey(raw));

    public KeyFormatKey FromPem(ReadOnlySpan<byte> pem) => IsEd25519 ? new KeyFormatKey(SecureEd25519.FromPem(pem)) : new KeyFormatKey(SecureX25519.FromPem(pem));

    public KeyFormatKey FromJwk(ReadOnlySpan<byte> json) => IsEd25519 ? new KeyFormatKey(SecureEd25519.FromJwk(json)) : new KeyFormatKey(SecureX25519.FromJwk(json));

    public byte[] PublicKeyFromSpki(ReadOnlySpan<byte> spki) =>
        IsEd25519 ? SecureEd25519.PublicKeyFromSubjectPublicKeyInfo(spki) : SecureX25519.PublicKeyFromSubjectPublicKeyInfo(spki);

    public override string ToString() => Name;
}
