using System.Runtime.InteropServices;

namespace Ama.Cryptography.Interop;

/// <summary>P/Invoke declarations for the optional native backend, libama_secure_memory.</summary>
/// <remarks>The library name is resolved at run time by <see cref="Memory.NativeBackend"/>.</remarks>
internal static unsafe partial class AmaNative
{
    internal const string Library = "ama_secure_memory";

    internal const uint ExpectedAbiVersion = 1;

    [LibraryImport(Library, EntryPoint = "ama_secure_memzero")]
    internal static partial void SecureMemzero(byte* pointer, nuint length);

    /// <summary>
    /// The same function without the GC-mode transition, which costs about 8 ns a call here. Only
    /// for lengths up to <see cref="Memory.NativeBackend.ShortCallBytes"/>: a call that skips the
    /// transition holds up a GC that wants to suspend this thread, so it must stay well under a microsecond.
    /// </summary>
    [LibraryImport(Library, EntryPoint = "ama_secure_memzero")]
    [SuppressGCTransition]
    internal static partial void SecureMemzeroShort(byte* pointer, nuint length);

    [LibraryImport(Library, EntryPoint = "ama_secure_mlock")]
    internal static partial int SecureMlock(nint pointer, nuint length);

    [LibraryImport(Library, EntryPoint = "ama_secure_munlock")]
    internal static partial int SecureMunlock(nint pointer, nuint length);

    [LibraryImport(Library, EntryPoint = "ama_consttime_memcmp")]
    internal static partial int ConstTimeMemcmp(byte* a, byte* b, nuint length);

    /// <summary>The compare without the GC-mode transition; see <see cref="SecureMemzeroShort"/> for when.</summary>
    [LibraryImport(Library, EntryPoint = "ama_consttime_memcmp")]
    [SuppressGCTransition]
    internal static partial int ConstTimeMemcmpShort(byte* a, byte* b, nuint length);

    [LibraryImport(Library, EntryPoint = "ama_version")]
    internal static partial nint Version();

    [LibraryImport(Library, EntryPoint = "ama_abi_version")]
    internal static partial uint AbiVersion();

    [LibraryImport(Library, EntryPoint = "ama_last_os_error")]
    internal static partial int LastOSError();
}
