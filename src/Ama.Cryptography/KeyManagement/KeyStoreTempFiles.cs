using System.Buffers;
using System.Security.Cryptography;

namespace Ama.Cryptography.KeyManagement;

/// <summary>
/// Names of the temp files a commit writes before its rename: ".{store file name}.{16 hex digits}.tmp".
/// A name belongs to exactly one store because the random part has a fixed length: the temp files
/// of "app.amaks.eu" (".app.amaks.eu.{hex}.tmp") are longer than any of "app.amaks", so cleaning up
/// one store's orphans never deletes another store's in-flight file.
/// </summary>
internal static class KeyStoreTempFiles
{
    private const int RandomBytes = 8;
    private const int RandomHexLength = 2 * RandomBytes;
    private const string Suffix = ".tmp";

    private static readonly SearchValues<char> LowerHex = SearchValues.Create("0123456789abcdef");

    internal static string NewPath(string storePath) =>
        Path.Combine(DirectoryOf(storePath), Prefix(storePath) + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(RandomBytes)) + Suffix);

    /// <summary>The temp files of this store, and of no other, that are in its directory now.</summary>
    internal static IEnumerable<string> Existing(string storePath)
    {
        string prefix = Prefix(storePath);
        return Directory.EnumerateFiles(DirectoryOf(storePath), prefix + "*" + Suffix)
            .Where(file => IsTempName(Path.GetFileName(file), prefix));
    }

    internal static bool IsTempName(string fileName, string prefix) =>
        fileName.Length == prefix.Length + RandomHexLength + Suffix.Length
        && fileName.StartsWith(prefix, StringComparison.Ordinal)
        && fileName.EndsWith(Suffix, StringComparison.Ordinal)
        && !fileName.AsSpan(prefix.Length, RandomHexLength).ContainsAnyExcept(LowerHex);

    private static string Prefix(string storePath) => "." + Path.GetFileName(storePath) + ".";

    private static string DirectoryOf(string storePath) => Path.GetDirectoryName(storePath)!;
}
