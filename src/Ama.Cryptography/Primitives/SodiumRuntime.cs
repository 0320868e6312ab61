using Ama.Cryptography.Interop;

namespace Ama.Cryptography.Primitives;

/// <summary>
/// Runs sodium_init once per process before the first libsodium primitive. libsodium picks its CPU-specific
/// implementations and seeds randombytes there; the key store's AES-GCM path calls the same idempotent function.
/// </summary>
internal static class SodiumRuntime
{
    private static readonly Lazy<int> InitResult = new(Sodium.sodium_init);

    /// <summary>Throws <see cref="PlatformNotSupportedException"/> when libsodium cannot be initialised.</summary>
    internal static void EnsureInitialized()
    {
        if (InitResult.Value < 0)
        {
            throw Error.SodiumInitFailed();
        }
    }
}
