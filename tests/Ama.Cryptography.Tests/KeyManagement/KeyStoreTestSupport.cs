using System.Security.Cryptography;
using System.Text;
using Ama.Cryptography.KeyManagement;

namespace Ama.Cryptography.Tests.KeyManagement;

/// <summary>A temp directory per test and the cheap credentials the tests use (the defaults are tested on their own).</summary>
public sealed class TempKeyStoreDirectory : IDisposable
{
    public TempKeyStoreDirectory() => Directory.CreateDirectory(Path);

    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "ama-ks-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6)));

    public string File(string name = "store.amaks") => System.IO.Path.Combine(Path, name);

    public void Dispose() => Directory.Delete(Path, recursive: true);
}

internal static class KeyStoreTestSupport
{
    internal static readonly KeyStoreKdf CheapArgon2 = KeyStoreKdf.Argon2id(KeyStoreKdf.MinArgon2MemoryKiB, 1);

    internal static byte[] RandomKey() => RandomNumberGenerator.GetBytes(32);

    internal static byte[] ValueFor(string name) => SHA256.HashData(Encoding.UTF8.GetBytes(name));

    internal static SecureKeyStorage CreateWithKey(string path, byte[] key)
    {
        using var credential = KeyStoreCredential.FromKey(key);
        return SecureKeyStorage.Create(path, credential);
    }

    internal static SecureKeyStorage OpenWithKey(string path, byte[] key)
    {
        using var credential = KeyStoreCredential.FromKey(key);
        return SecureKeyStorage.Open(path, credential);
    }

    internal static byte[] RetrieveBytes(SecureKeyStorage storage, string name)
    {
        using var buffer = storage.Retrieve(name);
        return buffer.Span.ToArray();
    }

    /// <summary>Recomputes the unkeyed SHA-256 checksum at the end, as an attacker who edits the file would.</summary>
    internal static void FixChecksum(byte[] file) =>
        SHA256.HashData(file.AsSpan(0, file.Length - 32), file.AsSpan(file.Length - 32));
}
