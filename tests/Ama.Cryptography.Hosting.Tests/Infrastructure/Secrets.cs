using System.Security.Cryptography;
using System.Text;
using Ama.Cryptography.KeyManagement;

namespace Ama.Cryptography.Hosting.Tests.Infrastructure;

/// <summary>Test credentials, and the forms in which a leak of them would show up in text.</summary>
public static class Secrets
{
    /// <summary>The cheapest KDF the key store accepts, to keep password tests fast.</summary>
    public static KeyStoreKdf FastKdf => KeyStoreKdf.Pbkdf2Sha256(KeyStoreKdf.MinPbkdf2Iterations);

    public static byte[] NewKey() => RandomNumberGenerator.GetBytes(KeyStoreCredential.KeyLength);

    public static string NewPassword() => "pw-" + Convert.ToHexString(RandomNumberGenerator.GetBytes(12));

    /// <summary>Writes a key file of 32 raw bytes, the format of <c>ama --key-file</c>, readable by its owner only.</summary>
    public static byte[] WriteKeyFile(string path)
    {
        byte[] key = NewKey();
        WriteOwnerOnly(path, key);
        return key;
    }

    /// <summary>Writes a password file, readable by its owner only, as the host requires of a credential file.</summary>
    public static void WritePasswordFile(string path, string content) => WriteOwnerOnly(path, Encoding.UTF8.GetBytes(content));

    /// <summary>Writes <paramref name="content"/> to a file of mode 0600, whatever the umask; an existing file is replaced.</summary>
    public static void WriteOwnerOnly(string path, byte[] content)
    {
        File.Delete(path);
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using var file = new FileStream(path, options);
        file.Write(content);
    }

    public static string[] FormsOf(byte[] key) =>
        [Convert.ToHexString(key), Convert.ToHexStringLower(key), Convert.ToBase64String(key)];

    /// <summary>Fails when any of <paramref name="texts"/> contains any of <paramref name="secrets"/>; the control proves the search finds a secret that is there.</summary>
    public static void AssertNoneContains(IEnumerable<string> texts, IEnumerable<string> secrets)
    {
        string[] all = [.. texts];
        string[] forms = [.. secrets];
        Assert.NotEmpty(all);
        Assert.NotEmpty(forms);
        foreach (string secret in forms)
        {
            Assert.DoesNotContain(all, text => text.Contains(secret, StringComparison.OrdinalIgnoreCase));
            string[] control = [.. all, "prefix " + secret + " suffix"];
            Assert.Contains(control, text => text.Contains(secret, StringComparison.OrdinalIgnoreCase));
        }
    }
}
