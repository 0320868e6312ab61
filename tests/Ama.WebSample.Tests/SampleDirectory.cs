using System.Security.Cryptography;

namespace Ama.WebSample.Tests;

/// <summary>A temporary directory with a 32-byte key file, for one key store of the sample.</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class SampleDirectory : IDisposable
{
    public SampleDirectory()
    {
        Path = Directory.CreateTempSubdirectory("ama-websample-").FullName;
        Key = RandomNumberGenerator.GetBytes(32);
        File.WriteAllBytes(KeyFile, Key);
        File.SetUnixFileMode(KeyFile, UnixFileMode.UserRead | UnixFileMode.UserWrite);
    }

    public string Path { get; }

    public byte[] Key { get; }

    public string StorePath => System.IO.Path.Combine(Path, "keys.amaks");

    public string KeyFile => System.IO.Path.Combine(Path, "store.key");

    public void Dispose()
    {
        CryptographicOperations.ZeroMemory(Key);
        Directory.Delete(Path, recursive: true);
    }
}
