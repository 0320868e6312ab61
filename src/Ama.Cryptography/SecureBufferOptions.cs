namespace Ama.Cryptography;

/// <summary>How a <see cref="SecureBuffer"/> is allocated and protected.</summary>
/// <remarks>
/// The setters reject values outside their enums (as <c>FileStreamOptions</c> does), so an options
/// object never holds a value that the allocator would have to guess at.
/// </remarks>
public sealed class SecureBufferOptions
{
    private readonly MemoryLockPolicy lockPolicy = MemoryLockPolicy.BestEffort;
    private readonly SecureMemorySource? source;

    /// <summary>The options used by <see cref="SecureBuffer(int)"/>.</summary>
    public static SecureBufferOptions Default { get; } = new();

    /// <summary>Gets what happens when the pages cannot be locked. The default is <see cref="MemoryLockPolicy.BestEffort"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is not a defined <see cref="MemoryLockPolicy"/>.</exception>
    public MemoryLockPolicy LockPolicy
    {
        get => lockPolicy;
        init => lockPolicy = Enum.IsDefined(value) ? value : throw Error.UndefinedOption(nameof(LockPolicy), value);
    }

    /// <summary>
    /// Gets whether the buffer gets its own mapping with a no-access page on each side, its end against
    /// the trailing guard page so that an overflow faults. Buffers larger than
    /// <see cref="GuardedThreshold"/> bytes are always guarded.
    /// </summary>
    public bool Guarded { get; init; }

    /// <summary>Gets a memory source to use instead of the process default, or <see langword="null"/> for the default.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is neither null nor a defined <see cref="SecureMemorySource"/>.</exception>
    public SecureMemorySource? Source
    {
        get => source;
        init => source = value is null || Enum.IsDefined(value.Value) ? value : throw Error.UndefinedOption(nameof(Source), value.Value);
    }

    /// <summary>The size above which buffers are guarded even when <see cref="Guarded"/> is false.</summary>
    /// <remarks>
    /// Above 1 KiB a slab slot would waste as much as a page does, and the two system calls
    /// of a guarded mapping cost little against the work done on that much data.
    /// </remarks>
    public const int GuardedThreshold = 1024;
}
