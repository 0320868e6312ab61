using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using System.Xml.Linq;

namespace Ama.Cryptography.DataProtection;

/// <summary>
/// The &lt;encryptedKey&gt; element: which KEK version sealed the key XML, and the AES-256-GCM nonce,
/// ciphertext and tag. The associated data binds a format label, the KEK name and the version, so
/// an element edited to name another KEK or version does not authenticate. Format 2 (attribute
/// <c>format="2"</c>) also binds the key element it belongs to (<see cref="KeyBinding"/>): the
/// repository wrapper writes that format, and puts the binding of the enclosing key element in the
/// <c>binding</c> attribute each time it reads the ring, so a sealed secret moved to another key
/// element does not authenticate. Format 1 (no attribute) is what earlier versions wrote; it stays readable.
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
    private static readonly byte[] BoundFormatLabel = Encoding.ASCII.GetBytes("ama.dataprotection.kek-aes256gcm.v2");

    internal const int UnboundFormat = 1;
    internal const int BoundFormat = 2;
    internal const string FormatAttribute = "format";
    internal const string BindingAttribute = "binding";

    internal required string Kek { get; init; }

    internal required int Version { get; init; }

    internal required byte[] Nonce { get; init; }

    internal required byte[] Ciphertext { get; init; }

    internal required byte[] Tag { get; init; }

    /// <summary>1: sealed to its KEK only; 2: sealed to its KEK and to <see cref="Binding"/>.</summary>
    internal int Format { get; init; } = UnboundFormat;

    /// <summary>The binding of the key element around this one (format 2); never stored, set by the repository wrapper when it reads.</summary>
    internal string? Binding { get; init; }

    /// <summary>The associated data of this element's format; format 2 without a binding cannot be opened.</summary>
    internal byte[] AssociatedData() => Format == UnboundFormat
        ? AssociatedData(Kek, Version)
        : BoundAssociatedData(Kek, Version, Binding ?? throw Error.MissingBinding());

    /// <summary>Format 2: label v2, 0, name (ASCII), 0, version (big-endian 32 bits), 0, the binding (UTF-8).</summary>
    internal static byte[] BoundAssociatedData(string kek, int version, string binding)
    {
        byte[] unbound = AssociatedData(kek, version);
        byte[] bindingBytes = Encoding.UTF8.GetBytes(binding);
        byte[] aad = new byte[unbound.Length + 1 + bindingBytes.Length];
        unbound.CopyTo(aad, 0);

        // The v2 label is as long as the v1 label, so it takes its place and the rest stays where format 1 puts it.
        BoundFormatLabel.CopyTo(aad, 0);
        bindingBytes.CopyTo(aad, unbound.Length + 1);
        return aad;
    }

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
        Format == UnboundFormat ? null : new XAttribute(FormatAttribute, Format.ToString(CultureInfo.InvariantCulture)),
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
            Format = ParseFormat((string?)element.Attribute(FormatAttribute)),
            Binding = (string?)element.Attribute(BindingAttribute),
        };
    }

    /// <summary>Whether <paramref name="element"/> is an &lt;encryptedKey&gt; of this package, by name only.</summary>
    internal static bool IsEncryptedKey(XElement element) => element.Name == RootName;

    private static int ParseFormat(string? value) => value switch
    {
        null => UnboundFormat,
        "2" => BoundFormat,
        _ => throw Error.UnknownFormat(value),
    };

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
