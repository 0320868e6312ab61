using System.Security.Cryptography;
using Ama.Cryptography.Memory;
using Microsoft.Extensions.Logging;

namespace Ama.Cryptography;

/// <summary>
/// The secure-memory functions of AMA Cryptography's Python module: zeroing that cannot be elided, page locking,
/// constant-time comparison, random bytes in secure memory, and the host's status.
/// </summary>
public static class SecureMemory
{
    /// <summary>Overwrites <paramref name="buffer"/> with 0x00, 0xFF, 0x00 and checks that it reads back as zero.</summary>
    /// <param name="buffer">The bytes to wipe; empty is a no-op.</param>
    /// <exception cref="SecureMemoryException">The bytes did not read back as zero (another thread wrote to them).</exception>
    public static void Zero(Span<byte> buffer) => Zeroing.Zero(buffer);

    /// <summary>Overwrites <paramref name="buffer"/> with 0x00, 0xFF, 0x00 and checks that it reads back as zero.</summary>
    /// <param name="buffer">The array to wipe; empty is a no-op.</param>
    /// <exception cref="ArgumentNullException"><paramref name="buffer"/> is null.</exception>
    /// <exception cref="SecureMemoryException">The bytes did not read back as zero.</exception>
    public static void Zero(byte[] buffer)
    {
        ArgumentNullException.ThrowIfNull(buffer);
        Zeroing.Zero(buffer);
    }

    /// <summary>
    /// Pins <paramref name="buffer"/> and locks the pages that hold it into RAM. Locks nest:
    /// each Lock needs one <see cref="Unlock(byte[])"/>, and a page shared with another locked
    /// array stays locked until that array is unlocked too.
    /// </summary>
    /// <param name="buffer">The array to lock; an empty array is a no-op.</param>
    /// <exception cref="ArgumentNullException"><paramref name="buffer"/> is null.</exception>
    /// <exception cref="SecureMemoryException">The OS refused (the message names errno and the limit to raise).</exception>
    /// <exception cref="PlatformNotSupportedException">This platform cannot lock memory.</exception>
    public static void Lock(byte[] buffer)
    {
        ArgumentNullException.ThrowIfNull(buffer);
        if (buffer.Length > 0)
        {
            PageLockTable.Lock(buffer);
        }
    }

    /// <summary>Undoes one <see cref="Lock(byte[])"/>; after the last one the array is unpinned and its unshared pages unlocked.</summary>
    /// <param name="buffer">An array passed to <see cref="Lock(byte[])"/>; an empty array is a no-op.</param>
    /// <exception cref="ArgumentNullException"><paramref name="buffer"/> is null.</exception>
    /// <exception cref="InvalidOperationException">The array is not locked.</exception>
    /// <exception cref="SecureMemoryException">The OS refused to unlock.</exception>
    public static void Unlock(byte[] buffer)
    {
        ArgumentNullException.ThrowIfNull(buffer);
        if (buffer.Length > 0)
        {
            PageLockTable.Unlock(buffer);
        }
    }

    /// <summary>
    /// Compares two inputs in time that depends only on the longer length: no early exit,
    /// and no branch on the data or on which input is shorter.
    /// </summary>
    /// <param name="left">The first input.</param>
    /// <param name="right">The second input.</param>
    /// <returns><see langword="true"/> when both have the same length and bytes.</returns>
    public static bool ConstantTimeEquals(ReadOnlySpan<byte> left, ReadOnlySpan<byte> right) =>
        ConstantTime.Equals(left, right);

    /// <summary>Returns a new <see cref="SecureBuffer"/> filled by the OS random generator directly in secure memory.</summary>
    /// <param name="count">The number of bytes.</param>
    /// <returns>The buffer; the caller disposes it.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="count"/> is negative or larger than <see cref="SecureBuffer.MaxLength"/>.</exception>
    public static SecureBuffer RandomBytes(int count)
    {
        var buffer = new SecureBuffer(count);
        RandomNumberGenerator.Fill(buffer.Span);
        return buffer;
    }

    /// <summary>Probes this process and host: backend, memory source, locking, limits, dump settings.</summary>
    /// <returns>A fresh status.</returns>
    public static SecureMemoryStatus GetStatus() => HostProbe.Read();

    /// <summary>
    /// Gets or sets whether the process purges its secure memory (<see cref="PurgeAll"/>) when it ends: at normal exit
    /// (ProcessExit), on an unhandled exception before the runtime writes a crash dump, before a FailFast of the library
    /// (a broken canary), and on SIGINT, SIGQUIT or SIGTERM that no other handler cancels. The default is true.
    /// </summary>
    /// <remarks>
    /// The hooks are installed when secure memory is first allocated. In a plain program a terminating signal is cancelled
    /// and turned into <see cref="Environment.Exit(int)"/> with 128 plus the signal number, so that ProcessExit runs and
    /// purges. In a program that loads the Generic Host (Microsoft.Extensions.Hosting) the signal is left to the host's
    /// lifetime, which stops gracefully with its keys; the purge runs at the ProcessExit after it. Set this to false to
    /// keep the runtime's default signal actions and skip every automatic purge. Safe to set from any thread.
    /// </remarks>
    public static bool PurgeOnExit
    {
        get => Purger.OnExit;
        set => Purger.OnExit = value;
    }

    /// <summary>
    /// Zeroes every live <see cref="SecureBuffer"/>, the secure memory of every key object (<see cref="SecureAesGcm"/>,
    /// <see cref="SecureChaCha20Poly1305"/>, <see cref="SecureXChaCha20Poly1305"/>, <see cref="SecureHmac"/>,
    /// <see cref="SecureEd25519"/>, <see cref="SecureX25519"/>) and the enclave key, and marks them disposed: any later use
    /// throws <see cref="ObjectDisposedException"/>, as does opening a <see cref="SecureEnclave"/> sealed before the purge.
    /// </summary>
    /// <remarks>
    /// For emergencies and for the end of the process. The purged memory is zeroed at once but never given back to the
    /// allocator, because another thread may still be inside a call with the key or hold a buffer's span: it stays mapped,
    /// zeroed and unused until the process exits. A call that was running with a key during the purge throws
    /// <see cref="ObjectDisposedException"/> rather than return a result computed with a zeroed key. Buffers allocated and
    /// enclaves sealed after the purge work as usual, under a new enclave key.
    /// </remarks>
    /// <returns>The number of secure allocations wiped: buffers, key objects' memory and the enclave key's page.</returns>
    public static int PurgeAll() => Purger.PurgeAll();

    /// <summary>Sends the library's warnings (a degraded lock, an undisposed buffer) to <paramref name="loggerFactory"/>.</summary>
    /// <param name="loggerFactory">The application's logger factory.</param>
    /// <exception cref="ArgumentNullException"><paramref name="loggerFactory"/> is null.</exception>
    public static void UseLoggerFactory(ILoggerFactory loggerFactory)
    {
        ArgumentNullException.ThrowIfNull(loggerFactory);
        Log.Use(loggerFactory);
    }
}
