using System.Text;

namespace Ama.Cli.Tests;

/// <summary>
/// Writes the tests' password, key and key material files owner-only (0600), as ama requires of a
/// file holding a secret; the umask does not apply.
/// </summary>
public static class SecretFiles
{
    public const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    public static void WriteAllText(string path, string text) => WriteAllBytes(path, Encoding.UTF8.GetBytes(text));

    public static void WriteAllBytes(string path, byte[] bytes)
    {
        File.WriteAllBytes(path, bytes);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, OwnerOnly);
        }
    }
}
