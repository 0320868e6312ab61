namespace Ama.Cryptography.Tests.Primitives;

/// <summary>A key of either type, with the format methods under test.</summary>
public sealed class KeyFormatKey(IDisposable key) : IDisposable
{
    private SecureEd25519? Ed => key as SecureEd25519;

    private SecureX25519 X => (SecureX25519)key;

    public byte[] PublicKey => Ed is { } ed ? ed.PublicKey.ToArray() : X.PublicKey.ToArray();

    public SecureBuffer ExportRaw() => Ed is { } ed ? ed.ExportSeed() : X.ExportPrivateKey();

    public SecureBuffer ExportPkcs8PrivateKeyPem() => Ed is { } ed ? ed.ExportPkcs8PrivateKeyPem() : X.ExportPkcs8PrivateKeyPem();

    public byte[] ExportSubjectPublicKeyInfo() => Ed is { } ed ? ed.ExportSubjectPublicKeyInfo() : X.ExportSubjectPublicKeyInfo();

    public string ExportSubjectPublicKeyInfoPem() => Ed is { } ed ? ed.ExportSubjectPublicKeyInfoPem() : X.ExportSubjectPublicKeyInfoPem();

    public SecureBuffer ExportJwk() => Ed is { } ed ? ed.ExportJwk() : X.ExportJwk();

    public string ExportPublicJwk() => Ed is { } ed ? ed.ExportPublicJwk() : X.ExportPublicJwk();

    public void Dispose() => key.Dispose();
}
