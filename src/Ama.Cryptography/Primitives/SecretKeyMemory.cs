using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using Ama.Cryptography.Memory;

namespace Ama.Cryptography.Primitives;

/// <summary>
/// The private key of a curve primitive in memory from the library's allocator (out of dumps, locked,
/// zeroed on <see cref="Dispose"/>). Native calls hold a reference on the handle, so a Dispose on
/// another thread defers the zeroing and freeing until they finish instead of pulling the key from under libsodium.
/// </summary>
internal sealed unsafe class SecretKeyMemory : IDisposable
{
    /// <summary>
    /// How much stack below the caller libsodium's curve code may have used. Ed25519's base-point
    /// multiplication leaves the signed digits of the secret nonce in a local it does not wipe, and some
    /// X25519 implementations (sandy2x, older ref10) leave the clamped scalar. The deepest of these calls
    /// uses well under 8 KiB.
    /// </summary>
    private const int StackWipeBytes = 8 * 1024;

    private readonly SecureMemoryHandle handle;

    internal SecretKeyMemory(int length)
    {
        SodiumLibrary.EnsureInitialized();
        handle = SecureAllocator.Allocate(length, SecureBufferOptions.Default);
    }

    internal bool IsDisposed => handle.IsClosed;

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
        byte* source = Acquire(owner);
        try
        {
            var copy = new SecureBuffer(length);
            new ReadOnlySpan<byte>(source + offset, length).CopyTo(copy.Span);
            return copy;
        }
        finally
        {
            handle.DangerousRelease();
        }
    }

    /// <summary>
    /// Zeroes the stack area that libsodium's curve code used below the current frame. Not sodium_stackzero:
    /// the build in the libsodium NuGet package compiles it to an empty function.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    internal static void WipeStack()
    {
        Span<byte> area = stackalloc byte[StackWipeBytes];
        CryptographicOperations.ZeroMemory(area);
    }

    public void Dispose() => handle.Dispose();
}
