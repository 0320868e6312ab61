using System.Text.Json;
using Ama.Cryptography.KeyManagement;

namespace Ama.Cli.KeyStore;

/// <summary>
/// Where a key store lives: a file, or a named store in PostgreSQL. The actions see only this, so
/// file-only steps (the writers' lock file, the absolute path in summaries) stay with the file.
/// Disposed after the storage it opened.
/// </summary>
internal abstract class StoreTarget : IDisposable
{
    /// <summary>Gets the store as messages name it: the path as given, or "PostgreSQL store 'NAME'".</summary>
    internal abstract string Name { get; }

    /// <summary>Gets the store as prompts and questions name it: the file name, or "PostgreSQL store 'NAME'".</summary>
    internal abstract string Label { get; }

    /// <summary>Gets the start of a sentence about the store: "The key store 'PATH'" or "The PostgreSQL store 'NAME'".</summary>
    internal abstract string Subject { get; }

    internal abstract SecureKeyStorage Create(KeyStoreCredential credential);

    internal abstract SecureKeyStorage Open(KeyStoreCredential credential);

    /// <summary>Waits, visibly and bounded, while another process writes; a no-op where the library's own wait is the only one.</summary>
    internal abstract void WaitForOtherWriters(int timeoutSeconds);

    /// <summary>The first lines of <c>info</c>: where the store is.</summary>
    internal abstract void WriteLocation(TextWriter output);

    /// <summary>The location fields of <c>info --json</c>.</summary>
    internal abstract void WriteLocation(Utf8JsonWriter writer);

    public void Dispose()
    {
        Dispose(disposing: true);
        GC.SuppressFinalize(this);
    }

    protected virtual void Dispose(bool disposing)
    {
    }
}
