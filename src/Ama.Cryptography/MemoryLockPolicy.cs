namespace Ama.Cryptography;

/// <summary>What a <see cref="SecureBuffer"/> does when its pages cannot be locked into RAM.</summary>
public enum MemoryLockPolicy
{
    /// <summary>The default, as in AMA Cryptography's Python module: log a warning and continue with <see cref="SecureBuffer.IsLocked"/> false.</summary>
    BestEffort = 0,

    /// <summary>Throw <see cref="SecureMemoryException"/> when the pages cannot be locked.</summary>
    Required = 1,

    /// <summary>Do not lock (secret memory is locked by the kernel regardless).</summary>
    None = 2,
}
