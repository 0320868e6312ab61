using System.Text.Json;
using Ama.Cryptography.KeyManagement;

namespace Ama.Cli.KeyStore;

/// <summary>A key store file: its writers' lock file and its absolute path belong here only.</summary>
internal sealed class FileStoreTarget(string path) : StoreTarget
{
    internal string Path { get; } = path;

    internal override string Name => Path;

    internal override string Label => System.IO.Path.GetFileName(Path);

    internal override string Subject => $"The key store '{Path}'";

    internal override SecureKeyStorage Create(KeyStoreCredential credential)
    {
        try
        {
            return SecureKeyStorage.Create(Path, credential);
        }
        catch (IOException) when (File.Exists(Path))
        {
            // Another process created it between our check and our write.
            throw new CliException($"'{Path}' already exists; ama never overwrites a key store.", ExitCodes.AlreadyExists);
        }
    }

    internal override SecureKeyStorage Open(KeyStoreCredential credential) => SecureKeyStorage.Open(Path, credential);

    internal override void WaitForOtherWriters(int timeoutSeconds) => StoreLock.WaitUntilFree(Path, timeoutSeconds);

    internal override void WriteLocation(TextWriter output) => output.WriteLine($"file:           {System.IO.Path.GetFullPath(Path)}");

    internal override void WriteLocation(Utf8JsonWriter writer) => writer.WriteString("file", System.IO.Path.GetFullPath(Path));
}
