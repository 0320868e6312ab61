using Ama.Cryptography.KeyManagement;

namespace Ama.Cryptography.Tests.KeyManagement;

/// <summary>
/// Create in a directory that does not exist names the store and the directory, not the lock file the runtime
/// tripped over, and creates nothing.
/// </summary>
public sealed class MissingDirectoryTests : IDisposable
{
    private readonly string root = Directory.CreateTempSubdirectory("ama-missing-dir-").FullName;

    [Fact]
    public void Create_in_a_missing_directory_names_the_store_and_the_directory()
    {
        string directory = Path.Combine(root, "not-there");
        string path = Path.Combine(directory, "app.keys");
        using var credential = KeyStoreCredential.FromKey(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));

        var e = Assert.Throws<DirectoryNotFoundException>(() => SecureKeyStorage.Create(path, credential));

        Assert.Contains(path, e.Message, StringComparison.Ordinal);
        Assert.Contains($"'{directory}'", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(".lock", e.Message, StringComparison.Ordinal);
        Assert.False(Directory.Exists(directory));
    }

    public void Dispose() => Directory.Delete(root, recursive: true);
}
