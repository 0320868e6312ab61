using System.Security.Cryptography;

namespace Ama.Cryptography.KeyManagement;

/// <summary>The base of the key store's own exceptions: a lock that cannot be taken in time, a store replaced under a running process, an exhausted nonce budget, a path that is not a regular file.</summary>
/// <remarks>
/// It derives from <see cref="CryptographicException"/>, so code that catches that type around
/// cryptographic work also catches a damaged or tampered store (<see cref="KeyStoreDamagedException"/>)
/// and a wrong credential (<see cref="KeyStoreCredentialException"/>). The message never contains key material.
/// </remarks>
public class KeyStoreException : CryptographicException
{
    /// <summary>Initializes a new instance with a generic message.</summary>
    public KeyStoreException()
        : base("A key store operation failed.")
    {
    }

    /// <summary>Initializes a new instance with the given message.</summary>
    /// <param name="message">The message that describes the error.</param>
    public KeyStoreException(string message)
        : base(message)
    {
    }

    /// <summary>Initializes a new instance with the given message and inner exception.</summary>
    /// <param name="message">The message that describes the error.</param>
    /// <param name="innerException">The exception that caused this one.</param>
    public KeyStoreException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
