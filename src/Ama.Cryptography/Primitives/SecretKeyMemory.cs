using Ama.Cryptography.Interop;
using Ama.Cryptography.Memory;

namespace Ama.Cryptography.Primitives;

/// <summary>
/// The private key of a curve primitive in memory from the library's allocator (out of dumps, locked,
/// zeroed on <see cref="Dispose"/>). Native calls hold a reference on the handle, so a Dispose on
/// another thread waits for them instead of freeing the key under libsodium.
/// </summary>
internal sealed unsafe class SecretKeyMemory : IDisposable
{
    /// <summary>
    /// How much stack below the caller libsodium's curve code may have used. Some of libsodium's X25519
    /// implementations (sandy2x, older ref10) copy the clamped scalar into a stack array they never wipe;
    /// the build shipped in the NuGet package left no such copy in a test, so this is defence in depth
    /// against another build of the library. The deepest of these calls uses well under 8 KiB.
    /// </summary>
    private const nuint StackWipeBytes = 8 * 1024;

    private readonly SecureMemoryHandle handle;

    internal SecretKeyMemory(int length)
    {
        SodiumRuntime.EnsureInitialized();
        handle = SecureAllocator.Allocate(length, SecureBufferOptions.Default);
    }

    internal bool IsDisposed => handle.IsClosed;

    internal int Length => handle.Length;

    /// <summary>Takes a reference on the memory for one native call; pair with <see cref="Release"/>.</summary>
    /// <exception cref="ObjectDisposedException">The key has been disposed.</exception>
    internal byte* Acquire(object owner)
    {
        ObjectDisposedException.ThrowIf(handle.IsClosed, owner);
        bool added = false;
        handle.DangerousAddRef(ref added);
        return (byte*)handle.Address;
    }

    /// <summary>Wipes what the native call left on the stack, then drops the reference.</summary>
    internal void Release()
    {
        WipeStack();
        handle.DangerousRelease();
    }

    /// <summary>Copies <paramref name="length"/> bytes from <paramref name="offset"/> into a new <see cref="SecureBuffer"/>.</summary>
    internal SecureBuffer Export(int offset, int length, object owner)
    {
        var copy = new SecureBuffer(length);
        byte* source = Acquire(owner);
        try
        {
            new ReadOnlySpan<byte>(source + offset, length).CopyTo(copy.Span);
            return copy;
        }
        finally
        {
            handle.DangerousRelease();
        }
    }

    /// <summary>Zeroes the stack area that libsodium's curve code used below the current frame.</summary>
    internal static void WipeStack() => Sodium.sodium_stackzero(StackWipeBytes);

    public void Dispose() => handle.Dispose();
}
