namespace Ama.Cryptography.KeyManagement;

/// <summary>The rules for key names (metadata: <see cref="KeyMetadata"/>).</summary>
internal static class KeyNames
{
    internal const int MaxNameLength = 128;

    internal static bool IsValidChar(int c) =>
        c is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or (>= '0' and <= '9') or '.' or '_' or '-';

    internal static bool IsValid(string? name) =>
        name is { Length: >= 1 and <= MaxNameLength } && !name.AsSpan().ContainsAnyExcept(NameChars.Values);

    internal static void Validate(string name, string paramName)
    {
        ArgumentNullException.ThrowIfNull(name, paramName);
        if (!IsValid(name))
        {
            throw Error.KeyStoreInvalidName(paramName);
        }
    }

    private static class NameChars
    {
        internal static readonly System.Buffers.SearchValues<char> Values =
            System.Buffers.SearchValues.Create("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-");
    }
}
