using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Xml.Linq;

namespace Ama.Cryptography.DataProtection;

/// <summary>
/// What a format-2 sealed master key is bound to: the parts of its Data Protection &lt;key&gt; element
/// that decide what the key is and when it is used. The encryptor never sees the key element (Data
/// Protection hands it the &lt;masterKey&gt; alone), so the repository wrapper, which sees whole key
/// elements, computes this when it seals and again when it reads.
/// </summary>
/// <remarks>
/// Bound: the key id, the creation, activation and expiration dates (as written), the descriptor's
/// deserializer type, and every element and attribute of the descriptor outside the sealed secret
/// (the encryption and validation algorithms). Not bound: the &lt;key&gt; version attribute, and
/// anything outside the descriptor and dates; a revocation is a separate element and is not bound
/// to anything (it can only take a key out of use).
/// The form is a line per part, built from names and values rather than from the XML text, so
/// indentation, namespace prefixes and attribute order, which a repository may change when it writes
/// and reads a file, do not change it.
/// </remarks>
internal static class KeyBinding
{
    internal static readonly XName KeyElementName = "key";
    internal static readonly XName EncryptedSecretName = XName.Get("encryptedSecret", "http://schemas.asp.net/2015/03/dataProtection");
    internal const string DecryptorTypeAttribute = "decryptorType";

    /// <summary>The binding of <paramref name="key"/> (the SHA-256, in hex, of the form described above), or null when its id is not a GUID (Data Protection refuses such a key anyway).</summary>
    internal static string? Compute(XElement key)
    {
        if (!Guid.TryParse((string?)key.Attribute("id"), out Guid id))
        {
            return null;
        }

        var text = new StringBuilder();
        text.Append("id=").Append(id.ToString("D", CultureInfo.InvariantCulture)).Append('\n');
        foreach (string date in (string[])["creationDate", "activationDate", "expirationDate"])
        {
            text.Append(date).Append('=').Append(Escape((string?)key.Element(date))).Append('\n');
        }

        XElement? descriptor = key.Element("descriptor");
        text.Append("deserializerType=").Append(Escape((string?)descriptor?.Attribute("deserializerType"))).Append('\n');
        foreach (XElement inner in descriptor?.Elements() ?? [])
        {
            Append(inner, 0, text);
        }

        // A digest keeps the attribute short and single-line whatever the descriptor holds.
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())));
    }

    private static void Append(XElement element, int depth, StringBuilder text)
    {
        if (element.Name == EncryptedSecretName)
        {
            // The sealed secret is what the binding protects; it cannot be part of its own associated data.
            text.Append(' ', depth).Append("(sealed secret)\n");
            return;
        }

        text.Append(' ', depth).Append('<').Append(Escape(element.Name.ToString()));
        foreach (XAttribute attribute in element.Attributes().Where(a => !a.IsNamespaceDeclaration).OrderBy(a => a.Name.ToString(), StringComparer.Ordinal))
        {
            text.Append(' ').Append(Escape(attribute.Name.ToString())).Append('=').Append(Escape(attribute.Value));
        }

        text.Append('\n');
        if (!element.HasElements)
        {
            text.Append(' ', depth + 1).Append("text=").Append(Escape(element.Value)).Append('\n');
            return;
        }

        foreach (XElement child in element.Elements())
        {
            Append(child, depth + 1, text);
        }
    }

    /// <summary>Quotes a value so that no value can imitate a line or a separator of the form.</summary>
    private static string Escape(string? value) => value is null
        ? "(none)"
        : "\"" + value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal).Replace("\r", "\\r", StringComparison.Ordinal) + "\"";
}
