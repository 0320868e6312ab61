using System.Security.Cryptography;
using Ama.Cryptography;
using Ama.Cryptography.KeyManagement;

namespace Ama.Samples;

internal static class KeyStoreExample
{
    internal static void Run()
    {
        string directory = Directory.CreateTempSubdirectory("ama-samples-").FullName;
        try
        {
            WithKey(Path.Combine(directory, "keys.amaks"));
            OpenOrCreateWithVersion(Path.Combine(directory, "keys.amaks"));
            WithPassword(Path.Combine(directory, "password.amaks"));
            InMemory();
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private static void WithKey(string path)
    {
        byte[] masterKey = RandomNumberGenerator.GetBytes(32);

        // A key store file opened with a 32-byte master key (from a KMS or a secrets mount, say)
        using var credential = KeyStoreCredential.FromKey(masterKey);   // copied into secure memory
        SecureMemory.Zero(masterKey);                                   // so wipe your own copy

        // Create once (IOException if the file exists), Open everywhere afterwards
        using (SecureKeyStorage created = SecureKeyStorage.Create(path, credential))
        using (SecureBuffer generated = SecureMemory.RandomBytes(32))
        {
            created.Store("payments", generated.Span);
        }

        using SecureKeyStorage storage = SecureKeyStorage.Open(path, credential);
        Console.WriteLine($"keys: {string.Join(", ", storage.ListKeys())}");
    }

    private static void OpenOrCreateWithVersion(string path)
    {
        using var credential = KeyStoreCredential.FromKey(RandomNumberGenerator.GetBytes(32));
        File.Delete(path);
        File.Delete(path + ".created");

        // Or in one call: processes that race to create the store end up with the same one
        using SecureKeyStorage storage = SecureKeyStorage.OpenOrCreate(path, credential);
        storage.Store("payments", RandomNumberGenerator.GetBytes(32));

        // The newest version, and its number, read together (to tag what you encrypt with it)
        using SecureBuffer key = storage.Retrieve("payments", out int version);
        Console.WriteLine($"payments is at version {version}");
    }

    private static void WithPassword(string path)
    {
        char[] password = "correct horse battery staple".ToCharArray();
        using (var created = KeyStoreCredential.FromPassword(password))
        {
            SecureKeyStorage.Create(path, created).Dispose();
        }

        SecureKeyStorage storage;

        // Or with a password, from which Argon2id (64 MiB, 3 passes) derives the master key at each Open
        using (var credential = KeyStoreCredential.FromPassword(password))   // encoded straight into secure memory
        {
            storage = SecureKeyStorage.Open(path, credential);   // the credential can go once the store is open
        }

        using (storage)
        {
            Console.WriteLine($"password store opened, {storage.ListKeys().Count} keys");
        }
    }

    private static void InMemory()
    {
        // In memory only, as in AMA Cryptography's Python module: the array is copied into secure memory and zeroed on Dispose
        using var storage = new SecureKeyStorage(RandomNumberGenerator.GetBytes(32));
        Console.WriteLine($"in-memory store: {storage.IsInMemory}");
    }
}
