namespace Ama.Cryptography;

/// <summary>
/// The exception thrown when the operating system refuses a secure-memory operation
/// (locking, protecting or mapping pages) or when a zeroing pass cannot be verified.
/// </summary>
/// <remarks>The message names the operation and the OS error; it never contains secret bytes.</remarks>
public sealed class SecureMemoryException : Exception
{
    /// <summary>Initializes a new instance with a generic message.</summary>
    public SecureMemoryException()
        : base("A secure-memory operation failed.")
    {
    }

    /// <summary>Initializes a new instance with the given message.</summary>
    /// <param name="message">The message that describes the error.</param>
    public SecureMemoryException(string message)
        : base(message)
    {
    }

    /// <summary>Initializes a new instance with the given message and inner exception.</summary>
    /// <param name="message">The message that describes the error.</param>
    /// <param name="innerException">The exception that caused this one.</param>
    public SecureMemoryException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Initializes a new instance with the given message and OS error code.</summary>
    /// <param name="message">The message that describes the error.</param>
    /// <param name="nativeErrorCode">The OS error code (errno on Unix, GetLastError on Windows).</param>
    public SecureMemoryException(string message, int nativeErrorCode)
        : base(message)
    {
        NativeErrorCode = nativeErrorCode;
    }

    /// <summary>Gets the OS error code (errno on Unix, GetLastError on Windows), or 0 when the failure did not come from the OS.</summary>
    public int NativeErrorCode { get; }

    /// <summary>Gets whether the process ran out of mappings (vm.max_map_count) rather than locked memory.</summary>
    internal bool MapCountExhausted { get; init; }
}
