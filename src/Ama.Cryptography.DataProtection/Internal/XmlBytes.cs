using System.Text;
using System.Xml;
using System.Xml.Linq;

namespace Ama.Cryptography.DataProtection;

/// <summary>Converts key XML to and from UTF-8 bytes held in secure memory.</summary>
/// <remarks>
/// The <see cref="XElement"/> itself is made of managed strings, which Data Protection builds and
/// parses; this class cannot wipe those. It keeps the serialized bytes, the part it owns, in a
/// <see cref="SecureBuffer"/>.
/// </remarks>
internal static class XmlBytes
{
    private static readonly XmlReaderSettings ReaderSettings = new()
    {
        DtdProcessing = DtdProcessing.Prohibit,
        XmlResolver = null,
        CloseInput = false,
    };

    internal static SecureBuffer Serialize(XElement element)
    {
        string text = element.ToString(SaveOptions.DisableFormatting);
        var bytes = new SecureBuffer(Encoding.UTF8.GetByteCount(text));
        try
        {
            Encoding.UTF8.GetBytes(text, bytes.Span);
            return bytes;
        }
        catch
        {
            bytes.Dispose();
            throw;
        }
    }

    internal static XElement Parse(SecureBuffer utf8)
    {
        using var stream = new SecureBufferReadStream(utf8);
        using var reader = XmlReader.Create(stream, ReaderSettings);
        return XElement.Load(reader);
    }
}
