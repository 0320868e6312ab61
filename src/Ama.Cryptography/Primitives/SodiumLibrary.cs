using Ama.Cryptography.Interop;

namespace Ama.Cryptography.Primitives;

/// <summary>
/// Runs sodium_init once for every libsodium user in the library. libsodium picks its CPU-specific
/// code paths there, so no other libsodium call may run before it has succeeded.
/// </summary>
internal static class SodiumLibrary
{
    private static readonly Lazy<bool> Initialized = new(Initialize);

    /// <summary>Gets whether libsodium loaded and initialised.</summary>
    internal static bool IsInitialized => Initialized.Value;

    /// <summary>Throws <see cref="PlatformNotSupportedException"/> when libsodium cannot be initialised.</summary>
    internal static void EnsureInitialized()
    {
        if (!IsInitialized)
        {
            throw Error.SodiumInitFailed();
        }
    }

    private static bool Initialize()
    {
        try
        {
            return Sodium.sodium_init() >= 0;
        }
        catch (DllNotFoundException)
        {
            return false;
        }
        catch (EntryPointNotFoundException)
        {
            return false;
        }
    }
}
