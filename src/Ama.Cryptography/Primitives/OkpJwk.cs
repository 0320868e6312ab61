using System.Buffers;
using System.Buffers.Text;
using System.Text;
using System.Text.Json;

namespace Ama.Cryptography.Primitives;

/// <summary>
/// RFC 8037 JSON Web Keys of type OKP for Ed25519 and X25519. Reading decodes "d" from the input span straight
/// into secure memory (the reader hands out views of the input, never strings); writing computes the exact
/// length first and writes the JSON into a <see cref="SecureBuffer"/>.
/// </summary>
internal static class OkpJwk
{
    internal const int KeySize = 32;

    private const int EncodedKeySize = 43;

    /// <summary>The members this reader looks at; any other member is skipped, as RFC 7517 asks.</summary>
    [Flags]
    private enum Members
    {
        None = 0,
        Kty = 1,
        Crv = 2,
        D = 4,
        X = 8,
        All = Kty | Crv | D | X,
    }

    /// <summary>Reads a private JWK: "d" into a new <see cref="SecureBuffer"/>, "x" into <paramref name="publicKey"/>.</summary>
    /// <exception cref="System.Security.Cryptography.CryptographicException">The data is not such a JWK for <paramref name="curve"/>.</exception>
    internal static SecureBuffer ReadPrivateKey(ReadOnlySpan<byte> utf8Json, string curve, Span<byte> publicKey)
    {
        var privateKey = new SecureBuffer(KeySize);
        try
        {
            ReadMembers(utf8Json, curve, privateKey.Span, publicKey);
            return privateKey;
        }
        catch (JsonException)
        {
            // The reader's message may quote a character of the input, so it is not passed on.
            privateKey.Dispose();
            throw Error.NotOkpJwk(curve, "it is not one well-formed JSON object");
        }
        catch
        {
            privateKey.Dispose();
            throw;
        }
    }

    /// <summary>Writes {"kty":"OKP","crv":…,"d":…,"x":…} into a new <see cref="SecureBuffer"/> of exactly its length.</summary>
    internal static SecureBuffer WritePrivateKey(string curve, ReadOnlySpan<byte> privateKey, ReadOnlySpan<byte> publicKey)
    {
        ReadOnlySpan<byte> kty = "{\"kty\":\"OKP\",\"crv\":\""u8;
        ReadOnlySpan<byte> d = "\",\"d\":\""u8;
        ReadOnlySpan<byte> x = "\",\"x\":\""u8;
        ReadOnlySpan<byte> end = "\"}"u8;
        var json = new SecureBuffer(kty.Length + curve.Length + d.Length + EncodedKeySize + x.Length + EncodedKeySize + end.Length);
        Span<byte> rest = json.Span;
        rest = Append(rest, kty);
        rest = rest[Encoding.ASCII.GetBytes(curve, rest)..];
        rest = Append(rest, d);
        rest = rest[Base64Url.EncodeToUtf8(privateKey, rest)..];
        rest = Append(rest, x);
        rest = rest[Base64Url.EncodeToUtf8(publicKey, rest)..];
        Append(rest, end);
        return json;
    }

    internal static string WritePublicKey(string curve, ReadOnlySpan<byte> publicKey) =>
        string.Concat("{\"kty\":\"OKP\",\"crv\":\"", curve, "\",\"x\":\"", Base64Url.EncodeToString(publicKey), "\"}");

    private static Span<byte> Append(Span<byte> destination, ReadOnlySpan<byte> text)
    {
        text.CopyTo(destination);
        return destination[text.Length..];
    }

    private static void ReadMembers(ReadOnlySpan<byte> utf8Json, string curve, Span<byte> privateKey, Span<byte> publicKey)
    {
        var reader = new Utf8JsonReader(utf8Json, new JsonReaderOptions { MaxDepth = 16 });
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            throw Error.NotOkpJwk(curve, "it is not a JSON object");
        }

        Members seen = Members.None;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            Members member = Identify(ref reader);
            if ((seen & member) != 0)
            {
                throw Error.NotOkpJwk(curve, "a member appears twice");
            }

            seen |= member;
            reader.Read();
            ReadValue(ref reader, member, curve, privateKey, publicKey);
        }

        // Read throws JsonException on anything but whitespace after the object.
        if (reader.Read())
        {
            throw Error.NotOkpJwk(curve, "data follows the JSON object");
        }

        if (seen != Members.All)
        {
            throw Error.NotOkpJwk(curve, "one of \"kty\", \"crv\", \"d\" and \"x\" is missing");
        }
    }

    private static Members Identify(ref Utf8JsonReader reader) =>
        reader.ValueTextEquals("kty"u8) ? Members.Kty
        : reader.ValueTextEquals("crv"u8) ? Members.Crv
        : reader.ValueTextEquals("d"u8) ? Members.D
        : reader.ValueTextEquals("x"u8) ? Members.X
        : Members.None;

    private static void ReadValue(ref Utf8JsonReader reader, Members member, string curve, Span<byte> privateKey, Span<byte> publicKey)
    {
        switch (member)
        {
            case Members.Kty:
                RequireString(ref reader, "OKP", curve, "\"kty\" is not \"OKP\"");
                break;
            case Members.Crv:
                RequireString(ref reader, curve, curve, "\"crv\" names another curve");
                break;
            case Members.D:
                DecodeKey(ref reader, privateKey, curve, "\"d\" is not 32 bytes of unpadded base64url");
                break;
            case Members.X:
                DecodeKey(ref reader, publicKey, curve, "\"x\" is not 32 bytes of unpadded base64url");
                break;
            default:
                reader.Skip();
                break;
        }
    }

    private static void RequireString(ref Utf8JsonReader reader, string expected, string curve, string reason)
    {
        if (reader.TokenType != JsonTokenType.String || !reader.ValueTextEquals(expected))
        {
            throw Error.NotOkpJwk(curve, reason);
        }
    }

    /// <summary>
    /// Decodes a base64url string in place from the input into <paramref name="destination"/>. An escaped string is
    /// refused: unescaping it would need a copy, and base64url has no character that needs escaping.
    /// </summary>
    private static void DecodeKey(ref Utf8JsonReader reader, Span<byte> destination, string curve, string reason)
    {
        if (reader.TokenType != JsonTokenType.String
            || reader.ValueIsEscaped
            || reader.ValueSpan.Length != EncodedKeySize
            || Base64Url.DecodeFromUtf8(reader.ValueSpan, destination, out _, out int written) != OperationStatus.Done
            || written != KeySize)
        {
            throw Error.NotOkpJwk(curve, reason);
        }
    }
}
