using System.Text;
using System.Xml.Linq;
using Microsoft.AspNetCore.DataProtection.XmlEncryption;

namespace Ama.Cryptography.DataProtection.Tests.Infrastructure;

/// <summary>Reads Data Protection master keys out of key XML, and counts where they appear in files.</summary>
public static class MasterKeys
{
    /// <summary>The master key of every &lt;key&gt; element: the plain &lt;masterKey&gt;&lt;value&gt;, or the one an &lt;encryptedSecret&gt; decrypts to.</summary>
    public static List<byte[]> FromKeyElements(IEnumerable<XElement> elements, IXmlDecryptor? decryptor)
    {
        var keys = new List<byte[]>();
        foreach (XElement key in elements.Where(e => e.Name.LocalName == "key"))
        {
            XElement descriptor = key.Element("descriptor")?.Element("descriptor")
                ?? throw new InvalidOperationException("A <key> without <descriptor><descriptor>.");
            XElement masterKey = descriptor.Element("masterKey") ?? Decrypt(descriptor, decryptor);
            keys.Add(Convert.FromBase64String(masterKey.Element("value")!.Value));
        }

        return keys;
    }

    private static XElement Decrypt(XElement descriptor, IXmlDecryptor? decryptor)
    {
        XElement encryptedSecret = descriptor.Elements().Single(e => e.Name.LocalName == "encryptedSecret");
        if (decryptor is null)
        {
            throw new InvalidOperationException("The master key is encrypted and no decryptor was given.");
        }

        return decryptor.Decrypt(encryptedSecret.Elements().Single());
    }

    /// <summary>The forms a master key could take in a file: raw bytes, base64 (UTF-8 and UTF-16), hex lower and upper case.</summary>
    public static IEnumerable<(string Form, byte[] Pattern)> Forms(byte[] masterKey)
    {
        string base64 = Convert.ToBase64String(masterKey);
        yield return ("raw", masterKey);
        yield return ("base64", Encoding.ASCII.GetBytes(base64));
        yield return ("base64-utf16", Encoding.Unicode.GetBytes(base64));
        yield return ("hex-lower", Encoding.ASCII.GetBytes(Convert.ToHexStringLower(masterKey)));
        yield return ("hex-upper", Encoding.ASCII.GetBytes(Convert.ToHexString(masterKey)));
    }

    /// <summary>Every (file, form) where one of <paramref name="masterKeys"/> appears, over every file under <paramref name="directory"/>.</summary>
    public static List<string> Scan(string directory, IEnumerable<byte[]> masterKeys)
    {
        var hits = new List<string>();
        var files = Directory.GetFiles(directory, "*", SearchOption.AllDirectories);
        foreach (string file in files)
        {
            byte[] content = File.ReadAllBytes(file);
            foreach (byte[] key in masterKeys)
            {
                foreach ((string form, byte[] pattern) in Forms(key))
                {
                    if (content.AsSpan().IndexOf(pattern) >= 0)
                    {
                        hits.Add($"{Path.GetFileName(file)}: {form}");
                    }
                }
            }
        }

        return hits;
    }
}
