using System.Globalization;
using System.Runtime.InteropServices;
using Ama.Cryptography.Memory;

namespace Ama.Cryptography;

/// <summary>Builds every exception message of the library in one place, so none can carry secret bytes.</summary>
internal static partial class Error
{
    private const string LockHint =
        "Raise RLIMIT_MEMLOCK (ulimit -l, LimitMEMLOCK= in systemd, --ulimit memlock in containers) or grant CAP_IPC_LOCK.";

    internal static string OSErrorText(int errno) => Marshal.GetPInvokeErrorMessage(errno);

    private static string Format(string format, params object?[] args) =>
        string.Format(CultureInfo.InvariantCulture, format, args);

    internal static SecureMemoryException LockFailed(nuint length, int errno) => new(
        Format("Locking {0} bytes into RAM failed: errno {1} ({2}). {3}", length, errno, OSErrorText(errno), LockHint),
        errno);

    internal static SecureMemoryException UnlockFailed(nuint length, int errno) => new(
        Format("Unlocking {0} bytes failed: errno {1} ({2}).", length, errno, OSErrorText(errno)),
        errno);

    internal static SecureMemoryException MapFailed(string source, nuint length, int errno) => new(
        Format("Mapping {0} bytes of {1} memory failed: errno {2} ({3}). {4}", length, source, errno, OSErrorText(errno), LockHint),
        errno);

    internal static SecureMemoryException ProtectFailed(string operation, nuint length, int errno) => new(
        Format("Changing the protection of {0} bytes ({1}) failed: errno {2} ({3}).", length, operation, errno, OSErrorText(errno)),
        errno);

    internal static SecureMemoryException ProtectFailed(PageProtection protection, nuint length, int errno) => ProtectFailed(
        protection switch
        {
            PageProtection.NoAccess => "no-access",
            PageProtection.ReadOnly => "read-only",
            _ => "read-write",
        },
        length,
        errno);

    internal static SecureMemoryException AdviseFailed(string advice, int errno) => new(
        Format("madvise({0}) failed: errno {1} ({2}).", advice, errno, OSErrorText(errno)),
        errno);

    internal static SecureMemoryException ZeroingNotVerified(int length) => new(
        Format("Zeroing {0} bytes could not be verified: the memory did not read back as zero (another thread may be writing to it).", length));

    internal static PlatformNotSupportedException LockingNotSupported() => new(
        Format("Memory locking is not supported on {0}.", RuntimeInformation.OSDescription));

    internal static PlatformNotSupportedException LinuxOnlyCall(string call) => new(
        Format("{0} exists only on Linux, and this is {1}.", call, RuntimeInformation.OSDescription));

    internal static InvalidOperationException ArrayNotLocked() => new(
        "The array was not locked by SecureMemory.Lock, or it has already been unlocked as many times as it was locked.");

    internal static ObjectDisposedException Disposed(string typeName) => new(typeName);

    internal static InvalidOperationException BufferNoAccess() => new(
        "The SecureBuffer is set to no-access. Use Access() to open it for a scope.");

    internal static InvalidOperationException ReadOnlyNeedsGuarded(int length) => new(
        Format("This SecureBuffer ({0} bytes) shares its pages with other small buffers in a slab, so it cannot be made read-only. Allocate it with new SecureBufferOptions {{ Guarded = true }} to give it pages of its own.", length));

    internal static InvalidOperationException ReadOnlyNotEnforceable(string source) => new(
        Format("This SecureBuffer lives in {0} memory, which the operating system cannot write-protect, so it cannot be made read-only. Use the SecretMemory, LockedPages or UnlockedPages source.", source));

    internal static void CanaryBroken(string where) => Environment.FailFast(
        Format("AMA secure memory: the canary around a secure buffer was overwritten ({0}). Memory was corrupted by an overflow or underflow; the buffer's memory was wiped, and the process is stopped to protect the secret.", where));

    internal static ArgumentException DestinationTooShort(string paramName, int needed, int actual) => new(
        Format("The destination must hold at least {0} bytes; it holds {1}.", needed, actual), paramName);

    internal static ArgumentOutOfRangeException NegativeSize(string paramName, int size) => new(
        paramName, size, "The size must not be negative.");

    internal static ArgumentException UnknownSource(string value) => new(
        Format("Unknown memory source '{0}' in AMA_MEMORY_SOURCE. Use secret, locked or managed.", value));

    internal static SecureMemoryException SourceUnavailable(string source, string reason) => new(
        Format("The {0} memory source is not available here: {1}", source, reason));

    internal static SecureMemoryException NativeLibraryUnusable(string path, string reason) => new(
        Format("The native backend named by AMA_NATIVE_LIBRARY or bundled with the library ('{0}') cannot be used: {1}. Unset AMA_NATIVE_LIBRARY, or set it to 'none' to use the managed backend.", path, reason));
}
