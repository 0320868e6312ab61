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
        (long, string)? pin = GenerationPin.Read(settings);
        using KeyStoreCredential credential = CredentialReader.Read(settings, services);
        SecureKeyStorage storage = settings.OpenStorage is { } openStorage
            ? OpenElsewhere(openStorage, credential)
            : OpenFile(Path.GetFullPath(settings.Path!), credential, settings);
        try
        {
            GenerationPin.Check(storage, pin);
        }
        catch
        {
            // The container never sees a storage whose factory threw, so it would not dispose it.
            storage.Dispose();
            throw;
        }

        return storage;
    }

    private SecureKeyStorage OpenElsewhere(Func<IServiceProvider, KeyStoreCredential, SecureKeyStorage> openStorage, KeyStoreCredential credential) =>
        openStorage(services, credential) ?? throw new InvalidOperationException(Error.OpenStorageReturnedNull());

    private SecureKeyStorage OpenFile(string path, KeyStoreCredential credential, SecureKeyStorageOptions settings)
    {
        SecureKeyStorage storage = OpenOrCreate(path, credential, settings);
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

    private static SecureKeyStorage OpenOrCreate(string path, KeyStoreCredential credential, SecureKeyStorageOptions settings)
    {
        bool createIfMissing = settings.CreateIfMissing;
        SecureKeyStorage storage = OpenOrCreateStore(path, credential, settings);
        try
        {
            // Also for a store opened, not created: stores made before the marker existed, or by
            // `ama keystore create`, are then protected from the next start on.
            StorePath.WriteCreatedMarker(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException && !createIfMissing)
        {
            // A read-only directory: without CreateIfMissing no store is ever created here, so the marker guards nothing.
        }
        catch
        {
            storage.Dispose();
            throw;
        }

        return storage;
    }

    private static SecureKeyStorage OpenOrCreateStore(string path, KeyStoreCredential credential, SecureKeyStorageOptions settings)
    {
        if (!settings.CreateIfMissing || StorePath.Exists(path))
        {
            return SecureKeyStorage.Open(path, credential);
        }

        // Validation checked this too; the store may have gone since (a restore, a rename).
        string marker = StorePath.CreatedMarker(path);
        if (File.Exists(marker))
        {
            throw new InvalidOperationException(Error.StoreMissingAfterCreation(
                Error.OptionName(settings, nameof(SecureKeyStorageOptions.Path)), StorePath.FinalTarget(path), marker));
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
