namespace Ama.Cryptography.KeyManagement;

/// <summary>The exception thrown when a key store file is truncated, altered, rolled back or otherwise not what this library wrote. It never means a wrong password: that is <see cref="KeyStoreCredentialException"/>.</summary>
/// <remarks>The message never contains key material.</remarks>
public sealed class KeyStoreDamagedException : KeyStoreException
{
    /// <summary>Initializes a new instance with a generic message.</summary>
    public KeyStoreDamagedException()
        : base("The key store file is damaged.")
    {
    }

    /// <summary>Initializes a new instance with the given message.</summary>
    /// <param name="message">The message that describes the error.</param>
    public KeyStoreDamagedException(string message)
        : base(message)
    {
    }

    /// <summary>Initializes a new instance with the given message and inner exception.</summary>
    /// <param name="message">The message that describes the error.</param>
    /// <param name="innerException">The exception that caused this one.</param>
    public KeyStoreDamagedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
