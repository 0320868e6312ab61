namespace Ama.Cryptography.KeyManagement;

/// <summary>The exception thrown when the password or key does not open the key store. <see cref="SecureKeyStorage.Open"/> throws it before any entry is read, and the file is left untouched.</summary>
/// <remarks>The message never contains key material.</remarks>
public sealed class KeyStoreCredentialException : KeyStoreException
{
    /// <summary>Initializes a new instance with a generic message.</summary>
    public KeyStoreCredentialException()
        : base("The password or key does not open this key store.")
    {
    }

    /// <summary>Initializes a new instance with the given message.</summary>
    /// <param name="message">The message that describes the error.</param>
    public KeyStoreCredentialException(string message)
        : base(message)
    {
    }

    /// <summary>Initializes a new instance with the given message and inner exception.</summary>
    /// <param name="message">The message that describes the error.</param>
    /// <param name="innerException">The exception that caused this one.</param>
    public KeyStoreCredentialException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
