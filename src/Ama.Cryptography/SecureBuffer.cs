using System.Diagnostics;
using Ama.Cryptography.Memory;

namespace Ama.Cryptography;

/// <summary>
/// A fixed-size buffer for key material in secure memory: locked into RAM, kept out of dumps,
/// and overwritten (0x00, 0xFF, 0x00) when disposed, also when an exception leaves a
/// <see langword="using"/> scope.
/// </summary>
/// <example>
/// <code>
/// using var key = new SecureBuffer(32);
/// RandomNumberGenerator.Fill(key.Span);
/// </code>
/// </example>
[DebuggerDisplay("{ToString(),nq}")]
[DebuggerTypeProxy(typeof(DebugView))]
public sealed partial class SecureBuffer : IDisposable
{
    /// <summary>
    /// The largest buffer, in bytes: 2 GiB minus 128 KiB (2,147,352,576). The canary and the
    /// round-up to whole pages (up to 64 KiB on some ARM kernels) must still fit in an
    /// <see cref="int"/>-sized mapping and in a managed array on the last-resort source.
    /// </summary>
    public const int MaxLength = 0x7FFE_0000;

    private readonly SecureMemoryHandle memory;

    /// <summary>Allocates a zeroed buffer of <paramref name="size"/> bytes with <see cref="SecureBufferOptions.Default"/>.</summary>
    /// <param name="size">The number of bytes, from 0 to <see cref="MaxLength"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="size"/> is negative or larger than <see cref="MaxLength"/>.</exception>
    /// <exception cref="SecureMemoryException">The memory could not be mapped.</exception>
    public SecureBuffer(int size)
        : this(size, SecureBufferOptions.Default)
    {
    }

    /// <summary>Allocates a zeroed buffer of <paramref name="size"/> bytes.</summary>
    /// <param name="size">The number of bytes, from 0 to <see cref="MaxLength"/>.</param>
    /// <param name="options">How to allocate and protect the buffer.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="size"/> is negative or larger than <see cref="MaxLength"/>.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> is null.</exception>
    /// <exception cref="SecureMemoryException">The memory could not be mapped, or locked under <see cref="MemoryLockPolicy.Required"/>.</exception>
    public SecureBuffer(int size, SecureBufferOptions options)
    {
        if (size < 0)
        {
            throw Error.NegativeSize(nameof(size), size);
        }

        if (size > MaxLength)
        {
            throw Error.SizeTooLarge(nameof(size), size, MaxLength);
        }

        ArgumentNullException.ThrowIfNull(options);
        memory = SecureAllocator.Allocate(size, options);
    }

    /// <summary>Gets the number of bytes.</summary>
    public int Length => memory.Length;

    /// <summary>Gets whether the pages are locked into RAM; false once the buffer is disposed.</summary>
    public bool IsLocked => !memory.IsClosed && memory.IsLocked;

    /// <summary>Gets whether the buffer has been disposed (and zeroed).</summary>
    public bool IsDisposed => memory.IsClosed;

    /// <summary>Gets whether the buffer has its own mapping between guard pages.</summary>
    public bool IsGuarded => memory.IsGuarded;

    /// <summary>Gets whether the buffer is currently set to no-access.</summary>
    public bool IsNoAccess => memory.IsNoAccess;

    /// <summary>
    /// Gets whether the buffer is read-only (<see cref="MakeReadOnly"/>); false once it is disposed.
    /// Independent of <see cref="IsNoAccess"/>: a read-only buffer set to no-access is still read-only.
    /// </summary>
    public bool IsReadOnly => !memory.IsClosed && memory.IsReadOnly;

    /// <summary>Gets where the bytes live.</summary>
    public SecureMemorySource Source => memory.Source.Kind;

    /// <summary>
    /// Gets the bytes. Do not keep the span past <see cref="Dispose"/>. On a read-only buffer the span
    /// can be read, and a write through it faults (see <see cref="MakeReadOnly"/>).
    /// </summary>
    /// <exception cref="ObjectDisposedException">The buffer has been disposed.</exception>
    /// <exception cref="InvalidOperationException">The buffer is set to no-access; use <see cref="Access"/>.</exception>
    public Span<byte> Span
    {
        get
        {
            ObjectDisposedException.ThrowIf(memory.IsClosed, this);
            if (memory.IsNoAccess)
            {
                throw Error.BufferNoAccess();
            }

            return memory.Span;
        }
    }

    /// <summary>
    /// Sets a guarded buffer to no-access until <see cref="Access"/> opens it; any touch in between faults.
    /// Buffers that are not guarded have no pages of their own and ignore this.
    /// </summary>
    /// <exception cref="ObjectDisposedException">The buffer has been disposed.</exception>
    /// <exception cref="SecureMemoryException">The OS refused to change the protection.</exception>
    public void MakeNoAccess()
    {
        ObjectDisposedException.ThrowIf(memory.IsClosed, this);
        memory.SetAccessible(false);
    }

    /// <summary>
    /// Write-protects a guarded buffer's pages: reads through <see cref="Span"/> still work, and a write
    /// through it faults and ends the process, as any touch of a no-access buffer does. That includes
    /// <see cref="SecureMemory.Zero(Span{byte})"/> on its span; <see cref="Dispose"/> makes the pages
    /// writable again to wipe them, so it works on a read-only buffer.
    /// </summary>
    /// <remarks>
    /// Read-only and no-access are independent settings, and no-access wins while it lasts:
    /// <see cref="MakeNoAccess"/> on a read-only buffer makes any touch fault and keeps it read-only,
    /// so <see cref="Access"/> then opens it for reading only; <see cref="MakeReadOnly"/> or
    /// <see cref="MakeWritable"/> on a no-access buffer leaves it no-access and only decides what the
    /// next <see cref="Access"/> scope allows. An empty buffer has no bytes to protect and only
    /// records the setting. Change the settings from one thread at a time.
    /// </remarks>
    /// <exception cref="ObjectDisposedException">The buffer has been disposed.</exception>
    /// <exception cref="InvalidOperationException">
    /// The buffer is a small one that shares slab pages with others (allocate it with
    /// <see cref="SecureBufferOptions.Guarded"/> set to true), or it lives in
    /// <see cref="SecureMemorySource.Managed"/> memory, which the OS cannot write-protect.
    /// </exception>
    /// <exception cref="SecureMemoryException">The OS refused to change the protection.</exception>
    public void MakeReadOnly()
    {
        ObjectDisposedException.ThrowIf(memory.IsClosed, this);
        memory.SetReadOnly(true);
    }

    /// <summary>
    /// Undoes <see cref="MakeReadOnly"/>: the bytes can be written again (once opened, if the buffer
    /// is no-access). A buffer that is not read-only is left as it is.
    /// </summary>
    /// <exception cref="ObjectDisposedException">The buffer has been disposed.</exception>
    /// <exception cref="SecureMemoryException">The OS refused to change the protection.</exception>
    public void MakeWritable()
    {
        ObjectDisposedException.ThrowIf(memory.IsClosed, this);
        memory.SetReadOnly(false);
    }

    /// <summary>
    /// Opens a no-access buffer for one scope; the scope's end makes it no-access again. A read-only
    /// buffer opens for reading only.
    /// </summary>
    /// <returns>The scope; dispose it with <see langword="using"/>.</returns>
    /// <exception cref="ObjectDisposedException">The buffer has been disposed.</exception>
    /// <exception cref="SecureMemoryException">The OS refused to change the protection.</exception>
    public SecureBufferAccess Access()
    {
        ObjectDisposedException.ThrowIf(memory.IsClosed, this);
        memory.SetAccessible(true);
        return new SecureBufferAccess(this);
    }

    /// <summary>
    /// Zeroes the buffer (three passes) and frees it, also when it is no-access or read-only.
    /// Calling it again does nothing.
    /// </summary>
    public void Dispose() => memory.Dispose();

    /// <summary>Describes the buffer without its contents, e.g. <c>SecureBuffer(32 bytes, locked, secret-memory)</c>.</summary>
    /// <returns>The description.</returns>
    public override string ToString() => memory.IsClosed
        ? $"SecureBuffer({Length} bytes, disposed)"
        : $"SecureBuffer({Length} bytes, {(IsLocked ? "locked" : "not locked")}, {memory.Source.Name}{(IsGuarded ? ", guarded" : string.Empty)})";

    internal nint UnsafeAddress => memory.Address;

    internal void CloseAccess()
    {
        if (!memory.IsClosed)
        {
            memory.SetAccessible(false);
        }
    }

    /// <summary>What the debugger shows instead of the bytes.</summary>
    private sealed class DebugView(SecureBuffer buffer)
    {
        public int Length => buffer.Length;

        public bool IsLocked => buffer.IsLocked;

        public bool IsDisposed => buffer.IsDisposed;

        public static string Contents => "(hidden)";
    }
}
