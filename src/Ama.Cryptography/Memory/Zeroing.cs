using System.Runtime.CompilerServices;

namespace Ama.Cryptography.Memory;

/// <summary>The seed's three-pass overwrite (0x00, 0xFF, 0x00) followed by a read-back check.</summary>
internal static class Zeroing
{
    internal static string Method => NativeBackend.IsActive
        ? "three-pass 0x00/0xFF/0x00 (native ama_secure_memzero) with read-back check"
        : "three-pass 0x00/0xFF/0x00 (managed, non-inlined fills) with read-back check";

    internal static void Zero(Span<byte> buffer)
    {
        if (buffer.IsEmpty)
        {
            return;
        }

        Overwrite(buffer);
        if (buffer.ContainsAnyExcept((byte)0))
        {
            throw Error.ZeroingNotVerified(buffer.Length);
        }
    }

    /// <summary>Overwrites without the read-back check; for paths that must not throw (release of a handle).</summary>
    internal static void Overwrite(Span<byte> buffer)
    {
        if (NativeBackend.IsActive)
        {
            NativeBackend.Memzero(buffer);
            return;
        }

        OverwriteManaged(buffer);
    }

    /// <summary>The managed three passes, whichever backend is active (the benchmarks compare it with the native one).</summary>
    internal static void OverwriteManaged(Span<byte> buffer)
    {
        // Each pass is an opaque call that RyuJIT may neither inline nor optimise, so no
        // pass can be proven dead and dropped, whatever later JITs learn about Fill.
        Fill(buffer, 0x00);
        Fill(buffer, 0xFF);
        Fill(buffer, 0x00);
    }

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.NoOptimization)]
    private static void Fill(Span<byte> buffer, byte value) => buffer.Fill(value);
}
