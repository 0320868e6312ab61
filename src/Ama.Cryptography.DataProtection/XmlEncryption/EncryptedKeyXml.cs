using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using System.Xml.Linq;

namespace Ama.Cryptography.DataProtection;

/// <summary>
/// The &lt;encryptedKey&gt; element: which KEK version sealed the key XML, and the AES-256-GCM nonce,
/// ciphertext and tag. The associated data binds a format label, the KEK name and the version, so
/// an element edited to name another KEK or version does not authenticate.
/// </summary>
/// <example><code>
/// &lt;encryptedKey xmlns="urn:ama:dataprotection:v1"&gt;
///   &lt;kek name="dataprotection-kek" version="1" /&gt;
///   &lt;nonce&gt;base64&lt;/nonce&gt;&lt;ciphertext&gt;base64&lt;/ciphertext&gt;&lt;tag&gt;base64&lt;/tag&gt;
/// &lt;/encryptedKey&gt;
/// </code></example>
internal sealed class EncryptedKeyXml
{
    internal const int NonceLength = 12;
    internal const int TagLength = 16;

    private static readonly XNamespace Ns = Names.Namespace;
    private static readonly XName RootName = Ns + "encryptedKey";
    private static readonly XName KekName = Ns + "kek";
    private static readonly XName NonceName = Ns + "nonce";
    private static readonly XName CiphertextName = Ns + "ciphertext";
    private static readonly XName TagName = Ns + "tag";
    private static readonly byte[] FormatLabel = Encoding.ASCII.GetBytes("ama.dataprotection.kek-aes256gcm.v1");

    internal required string Kek { get; init; }

    internal required int Version { get; init; }

    internal required byte[] Nonce { get; init; }

    internal required byte[] Ciphertext { get; init; }

    internal required byte[] Tag { get; init; }

    /// <summary>The associated data: label, 0, name (ASCII), 0, version (big-endian 32 bits).</summary>
    internal static byte[] AssociatedData(string kek, int version)
    {
        byte[] aad = new byte[FormatLabel.Length + 1 + kek.Length + 1 + sizeof(int)];
        FormatLabel.CopyTo(aad, 0);
        int offset = FormatLabel.Length + 1;
        Encoding.ASCII.GetBytes(kek, aad.AsSpan(offset));
        offset += kek.Length + 1;
        BinaryPrimitives.WriteInt32BigEndian(aad.AsSpan(offset), version);
        return aad;
    }

    internal XElement ToXml() => new(
        RootName,
        new XElement(KekName, new XAttribute("name", Kek), new XAttribute("version", Version.ToString(CultureInfo.InvariantCulture))),
        new XElement(NonceName, Convert.ToBase64String(Nonce)),
        new XElement(CiphertextName, Convert.ToBase64String(Ciphertext)),
        new XElement(TagName, Convert.ToBase64String(Tag)));

    internal static EncryptedKeyXml Parse(XElement element)
    {
        ArgumentNullException.ThrowIfNull(element);
        if (element.Name != RootName)
        {
            throw Error.UnexpectedElement(element.Name.ToString());
        }

        XElement kek = element.Element(KekName) ?? throw Error.MissingPart("<kek> element");
        return new EncryptedKeyXml
        {
            Kek = ParseKekName((string?)kek.Attribute("name")),
            Version = ParseVersion((string?)kek.Attribute("version")),
            Nonce = ParseBytes(element, NonceName, "nonce", NonceLength),
            Ciphertext = ParseBytes(element, CiphertextName, "ciphertext", expectedLength: null),
            Tag = ParseBytes(element, TagName, "tag", TagLength),
        };
    }

    private static string ParseKekName(string? name) =>
        Names.IsValidKeyName(name) ? name! : throw Error.InvalidKekName();

    private static int ParseVersion(string? value) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out int version) && version > 0
            ? version
            : throw Error.InvalidKekVersion(value ?? "(none)");

    private static byte[] ParseBytes(XElement parent, XName name, string part, int? expectedLength)
    {
        XElement child = parent.Element(name) ?? throw Error.MissingPart("<" + part + "> element");
        byte[] bytes;
        try
        {
            bytes = Convert.FromBase64String(child.Value);
        }
        catch (FormatException e)
        {
            throw Error.BadBase64(part, e);
        }

        if (expectedLength is int expected && bytes.Length != expected)
        {
            throw Error.WrongLength(part, expected, bytes.Length);
        }

        return bytes;
    }
}
