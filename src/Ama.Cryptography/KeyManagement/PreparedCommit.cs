namespace Ama.Cryptography.KeyManagement;

/// <summary>
/// A commit between its two halves (<see cref="KeyStoreEnvelope.Prepare"/> and <see cref="KeyStoreEnvelope.Adopt"/>):
/// the next generation's state, its sealed image (empty for a storage with no backend), and per change its result.
/// </summary>
internal sealed record PreparedCommit(KeyStoreState State, ReadOnlyMemory<byte> Image, int[] Results);
