using System.Globalization;
using Ama.Cli.Secrets;

namespace Ama.Cli.KeyStore;

/// <summary>The <c>generate --type</c> choices: aes256, ed25519, x25519, or random:N bytes.</summary>
internal sealed record KeyType(string Name, int RandomLength)
{
    internal const string Choices = "aes256, ed25519, x25519 or random:N (N from 1 to 65536)";

    internal bool IsCurve => Name is "ed25519" or "x25519";

    /// <summary>Parses --type before any password is asked for; anything else is a usage error naming the option.</summary>
    internal static KeyType Parse(string value)
    {
        switch (value)
        {
            case "aes256":
                return new KeyType(value, 32);
            case "ed25519":
            case "x25519":
                return new KeyType(value, 0);
        }

        const string prefix = "random:";
        if (value.StartsWith(prefix, StringComparison.Ordinal)
            && int.TryParse(value.AsSpan(prefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out int length)
            && length is >= 1 and <= MaterialInput.MaxBytes)
        {
            return new KeyType("random", length);
        }

        throw CliException.Usage($"--type '{value}' is not a key type; use {Choices}.");
    }
}
