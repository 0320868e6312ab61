using Ama.Cryptography.Memory;

namespace Ama.Cryptography.Primitives;

/// <summary>
/// The private key of a curve primitive in memory from the library's allocator (out of dumps, locked,
/// zeroed on <see cref="Dispose"/>). Native calls hold a reference on the handle, so a Dispose on
/// another thread defers the zeroing and freeing until they finish instead of pulling the key from under libsodium.
/// </summary>
internal sealed unsafe class SecretKeyMemory : IDisposable
{
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

    /// <summary>Drops the reference taken by <see cref="Acquire"/>; the scrubbing call has already wiped the stack.</summary>
    internal void Release() => handle.DangerousRelease();

    /// <summary>Copies <paramref name="length"/> bytes from <paramref name="offset"/> into a new <see cref="SecureBuffer"/>.</summary>
    internal SecureBuffer Export(int offset, int length, object owner)
    {
        byte* source = Acquire(owner);
        try
        {
            var copy = new SecureBuffer(length);
            SecretCopy.Copy(new ReadOnlySpan<byte>(source + offset, length), copy.Span);
            return copy;
        }
        finally
        {
            handle.DangerousRelease();
        }
    }


    public void Dispose() => handle.Dispose();
}
