namespace Ama.Cryptography.KeyManagement;

/// <summary>One change waiting in a batch; a Store holds its plaintext in secure memory until the commit seals it.</summary>
internal sealed class PendingChange : IDisposable
{
    internal enum ChangeKind
    {
        Store,
        Delete,
        DestroyVersion,
    }

    internal required ChangeKind Kind { get; init; }

    internal required string Name { get; init; }

    internal SecureBuffer? Plaintext { get; init; }

    internal KeyValuePair<string, string>[] Metadata { get; init; } = [];

    internal int Version { get; init; }

    public void Dispose() => Plaintext?.Dispose();
}
