using System.Buffers;

namespace Ama.Cryptography.DataProtection;

/// <summary>The names this package writes: the XML format, and the key store entry names.</summary>
internal static class Names
{
    /// <summary>The namespace of the &lt;encryptedKey&gt; element; its version is the format version.</summary>
    internal const string Namespace = "urn:ama:dataprotection:v1";

    /// <summary>Every key ring element lives under this prefix, so the key ring and other keys can share one store.</summary>
    internal const string RepositoryPrefix = "dataprotection.xml.";

    internal const string DefaultKekName = "dataprotection-kek";

    internal const int MaxNameLength = 128;

    private static readonly SearchValues<char> NameChars =
        SearchValues.Create("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-");

    internal static bool IsValidKeyName(string? name) =>
        name is { Length: >= 1 and <= MaxNameLength } && !name.AsSpan().ContainsAnyExcept(NameChars);

    internal static void ValidateKekName(string keyName, string paramName)
    {
        ArgumentNullException.ThrowIfNull(keyName, paramName);
        if (!IsValidKeyName(keyName))
        {
            throw Error.InvalidKeyName(paramName);
        }

        if (keyName.StartsWith(RepositoryPrefix, StringComparison.Ordinal))
        {
            throw Error.KeyNameInRepositoryRange(paramName, RepositoryPrefix);
        }
    }

    /// <summary>
    /// The entry name for a key ring element: the prefix plus the friendly name ("key-{guid}",
    /// "revocation-{date}") with every character a key name does not allow replaced by '_', cut to
    /// the 128 characters a name may have. Two friendly names that map to one entry name do not
    /// overwrite each other: the second becomes a new version of the entry, and the repository
    /// returns every version.
    /// </summary>
    internal static string RepositoryEntryName(string? friendlyName)
    {
        if (string.IsNullOrEmpty(friendlyName))
        {
            friendlyName = Guid.NewGuid().ToString("D");
        }

        int length = Math.Min(friendlyName.Length, MaxNameLength - RepositoryPrefix.Length);
        return string.Create(RepositoryPrefix.Length + length, friendlyName, static (span, source) =>
        {
            RepositoryPrefix.AsSpan().CopyTo(span);
            Span<char> rest = span[RepositoryPrefix.Length..];
            for (int i = 0; i < rest.Length; i++)
            {
                char c = source[i];
                rest[i] = NameChars.Contains(c) ? c : '_';
            }
        });
    }
}
