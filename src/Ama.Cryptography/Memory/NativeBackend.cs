using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Ama.Cryptography.Interop;

namespace Ama.Cryptography.Memory;

/// <summary>
/// Finds and loads the optional native C backend (libama_secure_memory), once per process.
/// </summary>
/// <remarks>
/// Search order: the path in AMA_NATIVE_LIBRARY ("none" turns the backend off), then the
/// assembly's folder and its runtimes/RID/native folder, then the managed code. A library
/// that was named explicitly but cannot be used is an error, never a silent fallback.
/// </remarks>
internal static unsafe class NativeBackend
{
    internal const string EnvironmentVariable = "AMA_NATIVE_LIBRARY";

    private static readonly LoadResult Loaded = Load();

    // Separate static readonly fields: the tiered JIT folds them into constants on hot paths.
    private static readonly bool Active = Loaded.Handle != 0;
    private static readonly Exception? Failure = Loaded.Failure;
    private static readonly AmaNative Exports = Loaded.Exports;

    internal static bool IsActive => Failure is null ? Active : throw Failure;

    internal static string? Version => IsActive ? Marshal.PtrToStringUTF8(Exports.Version()) : null;

    internal static string? LoadedFrom => IsActive ? Loaded.Path : null;

    /// <summary>
    /// Calls up to this length skip the GC-mode transition: three passes over 16 KiB, or a compare
    /// of it, take a few hundred nanoseconds here, within the microsecond such a call may hold up a GC.
    /// The choice depends on the length only, which is public.
    /// </summary>
    internal const int ShortCallBytes = 16 * 1024;

    internal static void Memzero(Span<byte> buffer)
    {
        fixed (byte* pointer = buffer)
        {
            if (buffer.Length <= ShortCallBytes)
            {
                Exports.SecureMemzeroShort(pointer, (nuint)buffer.Length);
            }
            else
            {
                MemzeroWithTransition(pointer, (nuint)buffer.Length);
            }
        }
    }

    internal static uint ConstantTimeDiffers(byte* a, byte* b, nuint length) => length <= ShortCallBytes
        ? unchecked((uint)Exports.ConstTimeMemcmpShort(a, b, length))
        : ConstantTimeDiffersWithTransition(a, b, length);

    // The ordinary native calls live in methods of their own: a method that contains one sets up the
    // transition frame in its prologue, which cost the short path 9 ns of its 12 when they shared one.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void MemzeroWithTransition(byte* pointer, nuint length) => Exports.SecureMemzero(pointer, length);

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static uint ConstantTimeDiffersWithTransition(byte* a, byte* b, nuint length) =>
        unchecked((uint)Exports.ConstTimeMemcmp(a, b, length));

    /// <summary>Calls ama_abi_version, which does no work: the fixed cost of one native call, for the benchmarks.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    internal static uint EmptyCall() => Exports.AbiVersion();

    /// <summary>Returns 0 on success, else the OS error the library kept.</summary>
    internal static int Lock(nint address, nuint length) =>
        Exports.SecureMlock(address, length) == 0 ? 0 : NonZero(Exports.LastOSError());

    /// <summary>Returns 0 on success, else the OS error the library kept.</summary>
    internal static int Unlock(nint address, nuint length) =>
        Exports.SecureMunlock(address, length) == 0 ? 0 : NonZero(Exports.LastOSError());

    // A failure without an OS error (a null pointer, say) must still read as a failure.
    private static int NonZero(int error) => error == 0 ? -1 : error;

    private static LoadResult Load()
    {
        string? requested = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (string.Equals(requested, "none", StringComparison.OrdinalIgnoreCase))
        {
            return default;
        }

        if (!string.IsNullOrEmpty(requested))
        {
            return LoadExplicit(requested);
        }

        foreach (string candidate in BundledCandidates())
        {
            if (File.Exists(candidate))
            {
                return LoadExplicit(candidate);
            }
        }

        // A NuGet consumer's deps.json lists runtimes/RID/native; the host's probing finds it by name.
        return NativeLibrary.TryLoad(AmaNative.Library, typeof(NativeBackend).Assembly, null, out nint handle)
            ? Verify(handle, AmaNative.Library)
            : default;
    }

    private static LoadResult LoadExplicit(string path) =>
        NativeLibrary.TryLoad(path, out nint handle)
            ? Verify(handle, path)
            : new LoadResult(0, path, Error.NativeLibraryUnusable(path, "it could not be loaded"), default);

    private static LoadResult Verify(nint handle, string path)
    {
        uint? abi = AmaNative.ReadAbiVersion(handle);
        if (abi is null)
        {
            return new LoadResult(0, path, Error.NativeLibraryUnusable(path, $"it has no {AmaNative.AbiVersionExport} export"), default);
        }

        if (abi != AmaNative.ExpectedAbiVersion)
        {
            return new LoadResult(0, path, Error.NativeLibraryUnusable(path, $"its ABI version is {abi}, expected {AmaNative.ExpectedAbiVersion}"), default);
        }

        try
        {
            return new LoadResult(handle, path, null, AmaNative.Bind(handle));
        }
        catch (EntryPointNotFoundException e)
        {
            return new LoadResult(0, path, Error.NativeLibraryUnusable(path, e.Message), default);
        }
    }

    private static IEnumerable<string> BundledCandidates()
    {
        string fileName = OperatingSystem.IsWindows() ? "ama_secure_memory.dll"
            : OperatingSystem.IsMacOS() ? "libama_secure_memory.dylib"
            : "libama_secure_memory.so";
        string directory = AppContext.BaseDirectory;
        yield return Path.Combine(directory, fileName);
        yield return Path.Combine(directory, "runtimes", RuntimeInformation.RuntimeIdentifier, "native", fileName);
    }

    private readonly record struct LoadResult(nint Handle, string? Path, Exception? Failure, AmaNative Exports);
}
