namespace Ama.Cryptography.Memory;

/// <summary>Pages obtained from a <see cref="PageSource"/>: where they are, how many, and whether they are locked.</summary>
/// <param name="Address">The first byte of the usable pages (after the leading guard page, if any).</param>
/// <param name="Length">The usable length, a whole number of pages.</param>
/// <param name="Locked">Whether the pages are locked into RAM.</param>
/// <param name="Guarded">Whether a no-access page lies on each side.</param>
/// <param name="Pinned">The pinned array behind managed memory, kept alive by this reference.</param>
internal sealed record MappedRegion(nint Address, nuint Length, bool Locked, bool Guarded, byte[]? Pinned = null);
