namespace Ama.Cryptography;

/// <summary>Which code carries out zeroing, locking and constant-time comparison.</summary>
public enum SecureMemoryBackend
{
    /// <summary>The managed implementation in this assembly.</summary>
    Managed = 0,

    /// <summary>The native C library, libama_secure_memory.</summary>
    Native = 1,
}
