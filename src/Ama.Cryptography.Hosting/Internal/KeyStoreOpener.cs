using Ama.Cryptography.KeyManagement;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Ama.Cryptography.Hosting.Internal;

/// <summary>Opens (or creates) the host's key store from the validated options, and starts watching its file.</summary>
internal sealed class KeyStoreOpener(
    IOptions<SecureKeyStorageOptions> options,
    IServiceProvider services,
    KeyStoreFileWatcher watcher,
    ILoggerFactory? loggerFactory = null)
{
    /// <summary>The factory of the <see cref="SecureKeyStorage"/> singleton; the container disposes what it returns.</summary>
    internal static SecureKeyStorage Create(IServiceProvider services)
    {
        var opener = (KeyStoreOpener)services.GetService(typeof(KeyStoreOpener))!;
        return opener.Open();
    }

    internal SecureKeyStorage Open()
    {
        if (loggerFactory is not null)
        {
            SecureMemory.UseLoggerFactory(loggerFactory);
        }

        // Reading .Value runs validation, so a lazily resolved storage gets the same messages as start-up.
        SecureKeyStorageOptions settings = options.Value;
        using KeyStoreCredential credential = CredentialReader.Read(settings, services);
        return settings.OpenStorage is { } openStorage
            ? OpenElsewhere(openStorage, credential)
            : OpenFile(Path.GetFullPath(settings.Path!), credential, settings);
    }

    private SecureKeyStorage OpenElsewhere(Func<IServiceProvider, KeyStoreCredential, SecureKeyStorage> openStorage, KeyStoreCredential credential) =>
        openStorage(services, credential) ?? throw new InvalidOperationException(Error.OpenStorageReturnedNull());

    private SecureKeyStorage OpenFile(string path, KeyStoreCredential credential, SecureKeyStorageOptions settings)
    {
        SecureKeyStorage storage = OpenOrCreate(path, credential, settings.CreateIfMissing);
        try
        {
            watcher.Watch(storage);
        }
        catch
        {
            // The container never sees a storage whose factory threw, so it would not dispose it.
            storage.Dispose();
            throw;
        }

        return storage;
    }

    private static SecureKeyStorage OpenOrCreate(string path, KeyStoreCredential credential, bool createIfMissing)
    {
        if (!createIfMissing || StorePath.Exists(path))
        {
            return SecureKeyStorage.Open(path, credential);
        }

        try
        {
            return SecureKeyStorage.Create(path, credential);
        }
        catch (IOException) when (StorePath.Exists(path))
        {
            // Another process created it first: open theirs.
            return SecureKeyStorage.Open(path, credential);
        }
    }
}
