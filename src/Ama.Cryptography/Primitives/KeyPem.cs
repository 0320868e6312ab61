using System.Buffers;
using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace Ama.Cryptography.Primitives;

/// <summary>
/// RFC 7468 PEM for key encodings of a known, fixed size: the base64 text is decoded straight into the caller's
/// memory and written straight into a <see cref="SecureBuffer"/>, so no managed array sees a private key.
/// </summary>
internal static class KeyPem
{
    internal const string PrivateKeyLabel = "PRIVATE KEY";

    internal const string PublicKeyLabel = "PUBLIC KEY";

    private static ReadOnlySpan<byte> Whitespace => " \t\r\n"u8;

    /// <summary>
    /// Decodes the one PEM block of <paramref name="utf8Pem"/> into <paramref name="destination"/>, which it must
    /// fill exactly. Text around the block other than whitespace counts as trailing data and is refused, so a file
    /// holding a second key cannot pass for one holding the first.
    /// </summary>
    /// <returns><see langword="false"/> when the input is not such a block; the destination may then hold part of it.</returns>
    internal static bool TryRead(ReadOnlySpan<byte> utf8Pem, string label, Span<byte> destination)
    {
        if (!PemEncoding.TryFindUtf8(utf8Pem, out PemFields fields)
            || !Ascii.Equals(utf8Pem[fields.Label], label)
            || fields.DecodedDataLength != destination.Length
            || utf8Pem[..fields.Location.Start].ContainsAnyExcept(Whitespace)
            || utf8Pem[fields.Location.End..].ContainsAnyExcept(Whitespace))
        {
            return false;
        }

        OperationStatus status = Base64.DecodeFromUtf8(utf8Pem[fields.Base64Data], destination, out _, out int written);
        return status == OperationStatus.Done && written == destination.Length;
    }

    /// <summary>Writes <paramref name="der"/> as PEM, with a final line feed as OpenSSL writes it, into a new <see cref="SecureBuffer"/>.</summary>
    internal static SecureBuffer Write(string label, ReadOnlySpan<byte> der)
    {
        Span<byte> utf8Label = stackalloc byte[label.Length];
        Encoding.ASCII.GetBytes(label, utf8Label);
        int size = PemEncoding.GetEncodedSize(label.Length, der.Length);
        var pem = new SecureBuffer(size + 1);
        if (!PemEncoding.TryWriteUtf8(utf8Label, der, pem.Span[..size], out int written) || written != size)
        {
            pem.Dispose();
            throw Error.PemWriteFailed(label);
        }

        pem.Span[size] = (byte)'\n';
        return pem;
    }

    /// <summary>Writes public data as PEM text with a final line feed.</summary>
    internal static string WriteString(string label, ReadOnlySpan<byte> der) =>
        string.Concat(PemEncoding.WriteString(label, der), "\n");
}
