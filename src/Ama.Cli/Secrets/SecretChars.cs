using System.Runtime.InteropServices;
using Ama.Cryptography;

namespace Ama.Cli.Secrets;

/// <summary>Characters of a password, held in a registered <see cref="SecureBuffer"/> rather than in a string.</summary>
internal sealed class SecretChars : IDisposable
{
    // Throws on invalid bytes: the default decoder maps every invalid sequence to U+FFFD, so
    // "ff fe fd" and "80 81 82" would become the same password.
    private static readonly System.Text.UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private readonly SecureBuffer buffer;

    internal SecretChars(int capacity)
    {
        buffer = HeldSecrets.Allocate(checked(capacity * sizeof(char)));
    }

    internal int Length { get; private set; }

    internal int Capacity => buffer.Length / sizeof(char);

    internal ReadOnlySpan<char> Chars => All[..Length];

    private Span<char> All => MemoryMarshal.Cast<byte, char>(buffer.Span);

    internal bool TryAppend(char c)
    {
        if (Length == Capacity)
        {
            return false;
        }

        All[Length++] = c;
        return true;
    }

    internal void RemoveLast()
    {
        if (Length > 0)
        {
            All[--Length] = '\0';
        }
    }

    /// <summary>Decodes UTF-8 bytes straight into the secure buffer; no string is ever made.</summary>
    internal static SecretChars FromUtf8(ReadOnlySpan<byte> utf8, string source)
    {
        var chars = new SecretChars(Math.Max(1, utf8.Length));
        try
        {
            chars.Length = StrictUtf8.GetChars(utf8, chars.All);
        }
        catch (System.Text.DecoderFallbackException)
        {
            chars.Dispose();
            throw CliException.BadInput($"The password from {source} is not valid UTF-8 text; ama takes passwords as UTF-8 only.");
        }

        return chars;
    }

    internal bool SequenceEqual(SecretChars other) => Chars.SequenceEqual(other.Chars);

    public void Dispose() => HeldSecrets.Release(buffer);
}
