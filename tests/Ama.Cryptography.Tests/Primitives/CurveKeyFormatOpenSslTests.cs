using System.Diagnostics;
using System.Text;
using Ama.Cryptography.Tests.Infrastructure;

namespace Ama.Cryptography.Tests.Primitives;

/// <summary>PEM and SubjectPublicKeyInfo of SecureEd25519 and SecureX25519 against the openssl command, both ways.</summary>
public sealed class CurveKeyFormatOpenSslTests : IDisposable
{
    private readonly string directory = Directory.CreateTempSubdirectory("ama-keyformat-").FullName;

    public static TheoryData<string> Curves => ["Ed25519", "X25519"];

    [Theory]
    [MemberData(nameof(Curves))]
    public void A_key_from_openssl_genpkey_has_the_public_key_of_openssl_pkey_pubout(string name)
    {
        KeyFormatCurve curve = KeyFormatCurve.Of(name);
        string keyFile = Path.Combine(directory, "key.pem");
        OpenSsl("genpkey", "-algorithm", curve.OpenSslName, "-out", keyFile);
        byte[] spkiDer = OpenSsl("pkey", "-in", keyFile, "-pubout", "-outform", "DER");
        byte[] spkiPem = OpenSsl("pkey", "-in", keyFile, "-pubout");

        using var key = curve.FromPem(File.ReadAllBytes(keyFile));

        Assert.Equal(spkiDer, key.ExportSubjectPublicKeyInfo());
        Assert.Equal(Encoding.ASCII.GetString(spkiPem), key.ExportSubjectPublicKeyInfoPem());
        Assert.Equal(spkiDer[^32..], key.PublicKey);
        Assert.Equal(key.PublicKey, curve.PublicKeyFromSpki(spkiDer));
        Assert.Equal(key.PublicKey, curve.PublicKeyFromSpki(spkiPem));
    }

    [Theory]
    [MemberData(nameof(Curves))]
    public void Openssl_reads_our_PEM_and_writes_it_back_byte_for_byte_with_our_public_key(string name)
    {
        KeyFormatCurve curve = KeyFormatCurve.Of(name);
        using var key = curve.Generate();
        using SecureBuffer pem = key.ExportPkcs8PrivateKeyPem();
        string keyFile = Path.Combine(directory, "ours.pem");
        File.WriteAllBytes(keyFile, pem.Span.ToArray());

        Assert.Equal(pem.Span.ToArray(), OpenSsl("pkey", "-in", keyFile));
        Assert.Equal(key.ExportSubjectPublicKeyInfoPem(), Encoding.ASCII.GetString(OpenSsl("pkey", "-in", keyFile, "-pubout")));
        Assert.Contains(curve.Name.ToUpperInvariant(), Encoding.ASCII.GetString(OpenSsl("pkey", "-in", keyFile, "-noout", "-text")).ToUpperInvariant(), StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Curves))]
    public void Openssl_reads_our_SubjectPublicKeyInfo_as_DER_and_PEM(string name)
    {
        KeyFormatCurve curve = KeyFormatCurve.Of(name);
        using var key = curve.Generate();
        string derFile = Path.Combine(directory, "pub.der");
        string pemFile = Path.Combine(directory, "pub.pem");
        File.WriteAllBytes(derFile, key.ExportSubjectPublicKeyInfo());
        File.WriteAllText(pemFile, key.ExportSubjectPublicKeyInfoPem());

        Assert.Equal(key.ExportSubjectPublicKeyInfo(), OpenSsl("pkey", "-pubin", "-inform", "DER", "-in", derFile, "-outform", "DER"));
        Assert.Equal(key.ExportSubjectPublicKeyInfo(), OpenSsl("pkey", "-pubin", "-in", pemFile, "-outform", "DER"));
    }

    [Fact]
    public void An_openssl_key_of_the_other_curve_is_refused()
    {
        string keyFile = Path.Combine(directory, "x25519.pem");
        OpenSsl("genpkey", "-algorithm", "x25519", "-out", keyFile);
        byte[] pubDer = OpenSsl("pkey", "-in", keyFile, "-pubout", "-outform", "DER");

        Assert.Throws<System.Security.Cryptography.CryptographicException>(() => SecureEd25519.FromPem(File.ReadAllBytes(keyFile)));
        Assert.Throws<System.Security.Cryptography.CryptographicException>(() => SecureEd25519.PublicKeyFromSubjectPublicKeyInfo(pubDer));
        using var control = SecureX25519.FromPem(File.ReadAllBytes(keyFile));
    }

    public void Dispose() => Directory.Delete(directory, recursive: true);

    /// <summary>Runs openssl to its end and returns its standard output.</summary>
    private static byte[] OpenSsl(params string[] arguments)
    {
        var info = new ProcessStartInfo(Tools.Require("openssl"))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        using Process process = Process.Start(info)!;
        using var stdout = new MemoryStream();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        process.StandardOutput.BaseStream.CopyTo(stdout);
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"openssl {string.Join(' ', arguments)} failed: {stderr.Result}");
        return stdout.ToArray();
    }
}
