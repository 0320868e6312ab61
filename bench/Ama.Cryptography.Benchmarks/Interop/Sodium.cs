using System.Runtime.InteropServices;

namespace Ama.Cryptography.Benchmarks.Interop;

/// <summary>P/Invoke declarations for libsodium's guarded allocator (the libsodium NuGet package's native library).</summary>
internal static unsafe partial class Sodium
{
    internal const string Library = "libsodium";

    /// <summary>Returns 0 on first success, 1 when already initialised, -1 on failure.</summary>
    [LibraryImport(Library, EntryPoint = "sodium_init")]
    internal static partial int Init();

    [LibraryImport(Library, EntryPoint = "sodium_malloc")]
    internal static partial byte* Malloc(nuint size);

    [LibraryImport(Library, EntryPoint = "sodium_free")]
    internal static partial void Free(byte* pointer);

    [LibraryImport(Library, EntryPoint = "sodium_memzero")]
    internal static partial void Memzero(byte* pointer, nuint length);

    /// <summary>sodium_malloc that throws instead of returning NULL.</summary>
    internal static byte* MallocOrThrow(nuint size)
    {
        byte* pointer = Malloc(size);
        return pointer != null ? pointer : throw new InvalidOperationException("sodium_malloc returned NULL.");
    }

    /// <summary>Initialises libsodium once; sodium_malloc must not be used before this.</summary>
    internal static void EnsureInitialised()
    {
        if (Init() < 0)
        {
            throw new InvalidOperationException("sodium_init failed.");
        }
    }
}
