using System.Buffers.Text;
using System.Text;
using Ama.Cryptography.Tests.Infrastructure;

namespace Ama.Cryptography.Tests.Primitives;

/// <summary>
/// A child exports SecureEd25519 and SecureX25519 keys as PKCS#8 PEM and private JWK and reads both back; the real
/// dump writers dump it live and after Dispose. The private keys, and their base64url and PEM base64 texts in UTF-8
/// and UTF-16, must be absent, while plain arrays and strings holding the same for a control pattern must be found.
/// </summary>
public sealed class CurveFormatDumpTests : IDisposable
{
    private const int EdSeed = 121_001;
    private const int XSeed = 121_002;
    private const int ControlSeed = 121_003;
    private readonly string directory = Directory.CreateTempSubdirectory("ama-format-dumps-").FullName;

    public static TheoryData<DumpKind> Kinds => [DumpKind.CreatedumpFull, DumpKind.Gcore];

    public void Dispose() => Directory.Delete(directory, recursive: true);

    [Theory]
    [MemberData(nameof(Kinds))]
    public void PEM_and_JWK_import_and_export_leave_no_key_text_in_a_dump(DumpKind kind)
    {
        using TestHost host = TestHost.Start("primitive-curve-format-dump", Text(EdSeed), Text(XSeed), Text(ControlSeed));
        Assert.Equal("True", host.WaitForLine("formats"));
        host.WaitForLine("READY");
        Dictionary<string, byte[]> secrets = new(StringComparer.Ordinal);
        AddForms(secrets, "Ed25519", EdSeed);
        AddForms(secrets, "X25519", XSeed);
        Dictionary<string, byte[]> controls = new(StringComparer.Ordinal);
        AddForms(controls, "control", ControlSeed);
        AssertAbsent(host, kind, "live", secrets, controls);

        host.Process.StandardInput.WriteLine("dispose");
        host.WaitForLine("DISPOSED");
        AssertAbsent(host, kind, "disposed", secrets, controls);
    }

    /// <summary>The raw key; its JWK "d" text and the key-only part of its PEM base64, each in UTF-8 and UTF-16.</summary>
    private static void AddForms(Dictionary<string, byte[]> forms, string name, int seed)
    {
        byte[] key = new byte[32];
        Pattern.Fill(key, seed);

        // Characters 22 on of the PKCS#8 base64 depend on the key alone (the 16-byte header ends inside character 21).
        string pemText = Convert.ToBase64String([.. new byte[16], .. key])[22..];
        string jwkText = Base64Url.EncodeToString(key);
        forms[$"{name} raw"] = key;
        forms[$"{name} base64url UTF-8"] = Encoding.ASCII.GetBytes(jwkText);
        forms[$"{name} base64url UTF-16"] = Encoding.Unicode.GetBytes(jwkText);
        forms[$"{name} PEM base64 UTF-8"] = Encoding.ASCII.GetBytes(pemText);
        forms[$"{name} PEM base64 UTF-16"] = Encoding.Unicode.GetBytes(pemText);
    }

    private void AssertAbsent(TestHost host, DumpKind kind, string phase, Dictionary<string, byte[]> secrets, Dictionary<string, byte[]> controls)
    {
        string dump = DumpHarness.Dump(host.Process.Id, kind, directory);
        List<long>[] hits = MultiPatternSearch.FindAll(dump, [.. secrets.Values, .. controls.Values]);
        File.Delete(dump);
        string[] names = [.. secrets.Keys, .. controls.Keys];
        string report = string.Join(", ", names.Zip(hits, (name, found) => $"{name} {found.Count}"));
        TestContext.Current.SendDiagnosticMessage($"{kind} {phase}: {report}");
        Assert.True(hits[secrets.Count..].All(found => found.Count >= 1), $"{kind} {phase}: a control value is missing, so the dump proves nothing: {report}");
        Assert.True(hits[..secrets.Count].All(found => found.Count == 0), $"{kind} {phase}: key material found: {report}");
    }

    private static string Text(int value) => value.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
