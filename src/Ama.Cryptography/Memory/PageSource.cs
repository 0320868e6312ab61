namespace Ama.Cryptography.Memory;

/// <summary>A kind of memory that secrets can live in, with the OS calls that map and release it.</summary>
internal abstract class PageSource
{
    private SlabPool? slabs;
    private GuardedRegionCache? guardedCache;

    internal static nuint PageSize { get; } = (nuint)Environment.SystemPageSize;

    internal abstract SecureMemorySource Kind { get; }

    /// <summary>Gets whether the pages this source returns are locked into RAM.</summary>
    internal abstract bool Locks { get; }

    /// <summary>A short name for status lines and ToString.</summary>
    internal abstract string Name { get; }

    /// <summary>Maps whole pages; throws <see cref="SecureMemoryException"/> when the OS refuses.</summary>
    internal abstract MappedRegion Map(nuint length, bool guarded);

    internal abstract void Unmap(MappedRegion region);

    /// <summary>Gets whether <see cref="Protect"/> really changes what the pages allow.</summary>
    internal virtual bool CanProtect => true;

    /// <summary>Sets what the usable pages of a guarded region allow.</summary>
    internal virtual void Protect(MappedRegion region, PageProtection protection) =>
        UnixPages.Protect(region.Address, region.Length, protection);

    /// <summary>Overwrites the bytes of a guarded buffer before its region is kept or unmapped.</summary>
    internal virtual void Wipe(MappedRegion region, Span<byte> bytes) => Zeroing.Overwrite(bytes);

    /// <summary>Gets the memory of recent lock failures of this source, for the BestEffort fallback.</summary>
    internal LockRetryGate LockRetry { get; } = new();

    /// <summary>Gets the slabs carved from this source's pages, created on first use.</summary>
    internal SlabPool Slabs => LazyInitializer.EnsureInitialized(ref slabs, () => new SlabPool(this));

    /// <summary>Gets the released guarded mappings of this source that wait for reuse.</summary>
    internal GuardedRegionCache GuardedCache => LazyInitializer.EnsureInitialized(ref guardedCache, () => new GuardedRegionCache());

    internal static nuint RoundUpToPages(nuint length) => (length + PageSize - 1) & ~(PageSize - 1);
}
