using System.Runtime.InteropServices;

namespace Ama.Cryptography;

/// <summary>What this process can do to protect secrets, found by real probes; returned by <see cref="SecureMemory.GetStatus"/>.</summary>
public sealed class SecureMemoryStatus
{
    /// <summary>Gets which code carries out zeroing, locking and comparison.</summary>
    public required SecureMemoryBackend Backend { get; init; }

    /// <summary>Gets the native library's version, or <see langword="null"/> with the managed backend.</summary>
    public string? NativeVersion { get; init; }

    /// <summary>Gets the path the native library was loaded from, or <see langword="null"/>.</summary>
    public string? NativeLibraryPath { get; init; }

    /// <summary>Gets a description of how memory is zeroed.</summary>
    public required string ZeroingMethod { get; init; }

    /// <summary>Gets where <see cref="SecureBuffer"/> memory comes from by default.</summary>
    public required SecureMemorySource MemorySource { get; init; }

    /// <summary>Gets whether memfd_secret works in this process.</summary>
    public required bool SecretMemoryAvailable { get; init; }

    /// <summary>Gets why memfd_secret does not work, or <see langword="null"/> when it does.</summary>
    public string? SecretMemoryProblem { get; init; }

    /// <summary>Gets whether a page could really be locked and unlocked just now.</summary>
    public required bool LockingWorks { get; init; }

    /// <summary>Gets why the lock probe failed, or <see langword="null"/>.</summary>
    public string? LockingProblem { get; init; }

    /// <summary>Gets the RLIMIT_MEMLOCK soft limit in bytes; <see langword="null"/> means unlimited or unknown.</summary>
    public ulong? MemoryLockLimitSoft { get; init; }

    /// <summary>Gets the RLIMIT_MEMLOCK hard limit in bytes; <see langword="null"/> means unlimited or unknown.</summary>
    public ulong? MemoryLockLimitHard { get; init; }

    /// <summary>Gets whether the process holds CAP_IPC_LOCK (Linux), which lifts RLIMIT_MEMLOCK.</summary>
    public required bool HasIpcLockCapability { get; init; }

    /// <summary>Gets whether the OS may write a core file of this process (RLIMIT_CORE above zero).</summary>
    public required bool CoreDumpsEnabled { get; init; }

    /// <summary>Gets the RLIMIT_CORE soft limit in bytes; <see langword="null"/> means unlimited or unknown.</summary>
    public ulong? CoreDumpLimit { get; init; }

    /// <summary>Gets how many allocations fell back to unlocked memory under <see cref="MemoryLockPolicy.BestEffort"/>.</summary>
    public long DegradedAllocations { get; init; }

    /// <summary>
    /// Gets whether every key-bearing native call (the key-in-use types and the key store's cipher) is followed by
    /// zeroing the stack it used and every vector and caller-saved register, before control returns to managed code.
    /// </summary>
    public bool RegisterAndStackScrubbing { get; init; }

    /// <summary>Gets why register and stack scrubbing is off, or <see langword="null"/> when it is on.</summary>
    public string? RegisterAndStackScrubbingProblem { get; init; }

    /// <summary>Gets the registers the scrub clears, for example "zmm0-31, k0-7", or "none".</summary>
    public string ScrubbedRegisters { get; init; } = "none";

    /// <summary>Gets the operating system description.</summary>
    public required string OperatingSystem { get; init; }

    /// <summary>Gets the process architecture.</summary>
    public required Architecture Architecture { get; init; }

    /// <inheritdoc/>
    public override string ToString() =>
        $"backend={Backend}, source={MemorySource}, locking={(LockingWorks ? "works" : "fails")}, scrubbing={(RegisterAndStackScrubbing ? "on" : "off")}, os={OperatingSystem}/{Architecture}";
}
