using System.Runtime.InteropServices;

namespace Ama.Cryptography.Interop;

/// <summary>
/// The exports of the optional native backend, libama_secure_memory, bound from a library that
/// <see cref="Memory.NativeBackend"/> has loaded and verified.
/// </summary>
/// <remarks>
/// Function pointers, not [LibraryImport]: the JIT binds a P/Invoke marked SuppressGCTransition
/// while it compiles any method the call was inlined into, even on a branch that never runs
/// (dotnet/runtime#94029). A process without the library then died with DllNotFoundException
/// as soon as a hot loop reached tier 1 or on-stack replacement. A function pointer is data:
/// nothing can be bound before the backend is active, whatever the JIT inlines.
/// </remarks>
internal readonly unsafe struct AmaNative
{
    internal const string Library = "ama_secure_memory";

    internal const uint ExpectedAbiVersion = 1;

    internal const string AbiVersionExport = "ama_abi_version";

    private AmaNative(nint library)
    {
        SecureMemzero = (delegate* unmanaged<byte*, nuint, void>)NativeLibrary.GetExport(library, "ama_secure_memzero");
        SecureMemzeroShort = (delegate* unmanaged[SuppressGCTransition]<byte*, nuint, void>)SecureMemzero;
        SecureMlock = (delegate* unmanaged<nint, nuint, int>)NativeLibrary.GetExport(library, "ama_secure_mlock");
        SecureMunlock = (delegate* unmanaged<nint, nuint, int>)NativeLibrary.GetExport(library, "ama_secure_munlock");
        ConstTimeMemcmp = (delegate* unmanaged<byte*, byte*, nuint, int>)NativeLibrary.GetExport(library, "ama_consttime_memcmp");
        ConstTimeMemcmpShort = (delegate* unmanaged[SuppressGCTransition]<byte*, byte*, nuint, int>)ConstTimeMemcmp;
        Version = (delegate* unmanaged<nint>)NativeLibrary.GetExport(library, "ama_version");
        AbiVersion = (delegate* unmanaged<uint>)NativeLibrary.GetExport(library, AbiVersionExport);
        LastOSError = (delegate* unmanaged<int>)NativeLibrary.GetExport(library, "ama_last_os_error");
    }

    /// <summary>void ama_secure_memzero(void *p, size_t n).</summary>
    internal delegate* unmanaged<byte*, nuint, void> SecureMemzero { get; }

    /// <summary>
    /// The same function without the GC-mode transition, which costs about 8 ns a call here. Only
    /// for lengths up to <see cref="Memory.NativeBackend.ShortCallBytes"/>: a call that skips the
    /// transition holds up a GC that wants to suspend this thread, so it must stay well under a microsecond.
    /// </summary>
    internal delegate* unmanaged[SuppressGCTransition]<byte*, nuint, void> SecureMemzeroShort { get; }

    /// <summary>int ama_secure_mlock(void *p, size_t n): an ama_status, 0 on success.</summary>
    internal delegate* unmanaged<nint, nuint, int> SecureMlock { get; }

    /// <summary>int ama_secure_munlock(void *p, size_t n): an ama_status, 0 on success.</summary>
    internal delegate* unmanaged<nint, nuint, int> SecureMunlock { get; }

    /// <summary>int ama_consttime_memcmp(const void *a, const void *b, size_t n): 0 when equal.</summary>
    internal delegate* unmanaged<byte*, byte*, nuint, int> ConstTimeMemcmp { get; }

    /// <summary>The compare without the GC-mode transition; see <see cref="SecureMemzeroShort"/> for when.</summary>
    internal delegate* unmanaged[SuppressGCTransition]<byte*, byte*, nuint, int> ConstTimeMemcmpShort { get; }

    /// <summary>const char *ama_version(void).</summary>
    internal delegate* unmanaged<nint> Version { get; }

    /// <summary>uint32_t ama_abi_version(void).</summary>
    internal delegate* unmanaged<uint> AbiVersion { get; }

    /// <summary>int ama_last_os_error(void): the errno of this thread's last lock call.</summary>
    internal delegate* unmanaged<int> LastOSError { get; }

    /// <summary>Reads the ABI version of a loaded library, or null when it has no such export.</summary>
    internal static uint? ReadAbiVersion(nint library) =>
        NativeLibrary.TryGetExport(library, AbiVersionExport, out nint export) ? ((delegate* unmanaged<uint>)export)() : null;

    /// <summary>Binds every export; throws <see cref="EntryPointNotFoundException"/> naming a missing one.</summary>
    internal static AmaNative Bind(nint library) => new(library);
}
