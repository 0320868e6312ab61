namespace Ama.Cryptography;

/// <summary>Where the bytes of a <see cref="SecureBuffer"/> live, best first.</summary>
public enum SecureMemorySource
{
    /// <summary>Linux memfd_secret pages: removed from the kernel's direct map, locked, absent from every dump, unreadable through /proc/PID/mem.</summary>
    SecretMemory = 0,

    /// <summary>Anonymous pages, locked, and on Linux marked MADV_DONTDUMP and MADV_WIPEONFORK (VirtualAlloc and VirtualLock on Windows).</summary>
    LockedPages = 1,

    /// <summary>The last resort: pinned arrays on the Pinned Object Heap. Zeroed on dispose, but not locked and not kept out of dumps.</summary>
    Managed = 2,

    /// <summary>
    /// Anonymous pages like <see cref="LockedPages"/>, but not locked: what a buffer gets under
    /// <see cref="MemoryLockPolicy.BestEffort"/> when locked memory runs out, or with
    /// <see cref="MemoryLockPolicy.None"/>. Kept out of core files and wiped in a forked child, but they can be swapped.
    /// </summary>
    UnlockedPages = 3,
}
