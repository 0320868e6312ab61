using System.Buffers.Text;
using System.Text.Unicode;
using Ama.Cryptography;

namespace Ama.Cli.Secrets;

/// <summary>The output encodings of <c>ama keystore get</c>.</summary>
internal enum SecretFormat
{
    Hex,
    Base64,
    Raw,
    Text,
}

/// <summary>Writes key material to stdout; encodings are built in secure memory, never in a string.</summary>
internal static class SecretWriter
{
    internal static SecretFormat ParseFormat(string value) => value switch
    {
        "hex" => SecretFormat.Hex,
        "base64" => SecretFormat.Base64,
        "raw" => SecretFormat.Raw,
        "text" => SecretFormat.Text,
        _ => throw CliException.Usage($"Unknown format '{value}'; use text, hex, base64 or raw."),
    };

    /// <summary>
    /// For --format text, refuses material that is not valid UTF-8 before anything is written (or
    /// any --output file created): a replacement character would print a different secret. The
    /// message names the entry, never its bytes.
    /// </summary>
    internal static void RequireText(string name, ReadOnlySpan<byte> material, SecretFormat format)
    {
        if (format == SecretFormat.Text && !Utf8.IsValid(material))
        {
            throw CliException.BadInput($"Entry '{name}' is not valid UTF-8 text, so --format text cannot print it; use --format hex, base64 or raw.");
        }
    }

    /// <summary>Raw bytes on a terminal can garble it and land in its scrollback, so they are refused before any secret is read.</summary>
    internal static void RefuseRawToTerminal(SecretFormat format)
    {
        if (format == SecretFormat.Raw && Terminal.StdoutIsTerminal)
        {
            throw CliException.Usage("Refusing to write raw key material to a terminal; redirect stdout to a file or pipe, or use --format hex or base64.");
        }
    }

    internal static void Write(Stream output, ReadOnlySpan<byte> material, SecretFormat format)
    {
        ArgumentNullException.ThrowIfNull(output);
        if (format == SecretFormat.Raw)
        {
            output.Write(material);
            output.Flush();
            return;
        }

        if (format == SecretFormat.Text)
        {
            // The bytes themselves (checked by RequireText), ended by a newline as hex and base64 are.
            output.Write(material);
            output.Write("\n"u8);
            output.Flush();
            return;
        }

        int length = format == SecretFormat.Hex ? (material.Length * 2) + 1 : Base64.GetMaxEncodedToUtf8Length(material.Length) + 1;
        SecureBuffer encoded = HeldSecrets.Allocate(length);
        try
        {
            int written = format == SecretFormat.Hex ? EncodeHex(material, encoded.Span) : EncodeBase64(material, encoded.Span);
            encoded.Span[written] = (byte)'\n';
            output.Write(encoded.Span[..(written + 1)]);
            output.Flush();
        }
        finally
        {
            HeldSecrets.Release(encoded);
        }
    }

    private static int EncodeHex(ReadOnlySpan<byte> material, Span<byte> destination)
    {
        for (int i = 0; i < material.Length; i++)
        {
            destination[2 * i] = HexDigit(material[i] >> 4);
            destination[(2 * i) + 1] = HexDigit(material[i] & 0xF);
        }

        return material.Length * 2;
    }

    // No table lookup indexed by secret bits: '0' + n, plus 39 more for n above 9 ('a' - '0' - 10).
    private static byte HexDigit(int nibble) => (byte)('0' + nibble + (((9 - nibble) >> 31) & 39));

    private static int EncodeBase64(ReadOnlySpan<byte> material, Span<byte> destination)
    {
        _ = Base64.EncodeToUtf8(material, destination, out _, out int written);
        return written;
    }
}
