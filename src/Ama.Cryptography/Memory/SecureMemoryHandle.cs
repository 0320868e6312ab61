using System.Runtime.InteropServices;

namespace Ama.Cryptography.Memory;

/// <summary>
/// Owns one secure allocation: a slab slot or a guarded mapping. Release zeroes the bytes
/// while the pages are still locked, checks the canary, and only then gives the memory back.
/// </summary>
internal sealed unsafe class SecureMemoryHandle : SafeHandle
{
    private readonly Slab? slab;
    private readonly int slot;
    private readonly MappedRegion? guardedRegion;
    private readonly int registration;
    private volatile bool noAccess;
    private volatile bool readOnly;

    private SecureMemoryHandle(nint data, int length, PageSource source, bool locked, Slab? slab, int slot, MappedRegion? guardedRegion)
        : base(0, ownsHandle: true)
    {
        SetHandle(data);
        Length = length;
        Source = source;
        IsLocked = locked;
        this.slab = slab;
        this.slot = slot;
        this.guardedRegion = guardedRegion;
        registration = data == 0 ? -1 : LiveHandles.Register(this);
    }

    public override bool IsInvalid => handle == 0;

    internal int Length { get; }

    internal PageSource Source { get; }

    internal bool IsLocked { get; }

    internal bool IsGuarded => guardedRegion is not null;

    internal bool IsNoAccess => noAccess;

    internal bool IsReadOnly => readOnly;

    internal nint Address => handle;

    internal static SecureMemoryHandle Empty(PageSource source) => new(0, 0, source, source.Locks, null, 0, null);

    internal static SecureMemoryHandle FromSlab(PageSource source, int length)
    {
        (Slab slab, int slot) = source.Slabs.Take(length);
        nint data = slab.DataAddress(slot);
        slab.FillSlack(data, length);
        return new SecureMemoryHandle(data, length, source, slab.Region.Locked, slab, slot, null);
    }

    internal static SecureMemoryHandle Guarded(PageSource source, int length)
    {
        nuint regionLength = PageSource.RoundUpToPages((nuint)(length + Canary.Size));
        MappedRegion region = source.GuardedCache.TryTake(regionLength, out MappedRegion? cached)
            ? cached!
            : source.Map(regionLength, guarded: true);

        // The data ends exactly at the trailing guard page, so a one-byte overflow faults.
        nint data = region.Address + (nint)region.Length - length;
        Canary.Write(data - Canary.Size, Canary.Size);
        return new SecureMemoryHandle(data, length, source, region.Locked, null, 0, region);
    }

    internal Span<byte> Span => new((void*)handle, Length);

    /// <summary>
    /// Switches a guarded buffer between no-access and open; other buffers ignore it. Open means
    /// read-only or read-write, as <see cref="SetReadOnly"/> last chose: the two are independent.
    /// </summary>
    internal void SetAccessible(bool accessible)
    {
        if (guardedRegion is null)
        {
            return;
        }

        // Under the same lock as Purge: a purge must never find the pages closed again after it opened them.
        lock (guardedRegion)
        {
            if (noAccess == !accessible || IsClosed)
            {
                return;
            }

            Source.Protect(guardedRegion, accessible ? OpenProtection(readOnly) : PageProtection.NoAccess);
            noAccess = !accessible;
        }
    }

    /// <summary>
    /// Write-protects a guarded buffer's pages, or lifts that. While the buffer is no-access its pages
    /// stay no-access, and the choice applies when it is opened. A slab slot shares its pages with
    /// other buffers, and managed memory has no page protection: both refuse rather than pretend.
    /// </summary>
    internal void SetReadOnly(bool value)
    {
        if (readOnly == value)
        {
            return;
        }

        if (value)
        {
            ThrowIfCannotWriteProtect();
        }

        if (guardedRegion is null)
        {
            readOnly = value;
            return;
        }

        lock (guardedRegion)
        {
            if (IsClosed)
            {
                return;
            }

            if (!noAccess)
            {
                Source.Protect(guardedRegion, OpenProtection(value));
            }

            readOnly = value;
        }
    }

    private static PageProtection OpenProtection(bool readOnly) => readOnly ? PageProtection.ReadOnly : PageProtection.ReadWrite;

    private void ThrowIfCannotWriteProtect()
    {
        if (slab is not null)
        {
            throw Error.ReadOnlyNeedsGuarded(Length);
        }

        if (guardedRegion is not null && !Source.CanProtect)
        {
            throw Error.ReadOnlyNotEnforceable(Source.Name);
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (!disposing && !IsInvalid)
        {
            Log.BufferNotDisposed(Length, Source.Name);
        }

        base.Dispose(disposing);
    }

    /// <summary>
    /// Zeroes the bytes now and marks the handle closed, for <see cref="SecureMemory.PurgeAll"/>. The memory is
    /// never given back: a native call that holds a reference, or a thread that still holds a span, may touch
    /// it after this returns, and must find zeroed memory of its own rather than another buffer's or an unmapped page.
    /// </summary>
    /// <returns>False when the handle was already disposed.</returns>
    internal bool Purge()
    {
        bool added = false;
        try
        {
            DangerousAddRef(ref added);
        }
        catch (ObjectDisposedException)
        {
            return false;
        }

        try
        {
            if (guardedRegion is null)
            {
                Zeroing.Overwrite(Span);
                SetHandleAsInvalid();
            }
            else
            {
                PurgeGuarded(guardedRegion);
            }

            LiveHandles.Unregister(registration);
            return true;
        }
        finally
        {
            // The handle is closed by now, so this never runs ReleaseHandle.
            DangerousRelease();
        }
    }

    private void PurgeGuarded(MappedRegion region)
    {
        lock (region)
        {
            if (noAccess || readOnly)
            {
                Source.Protect(region, PageProtection.ReadWrite);
                noAccess = false;
                readOnly = false;
            }

            Source.Wipe(region, new Span<byte>((void*)(handle - Canary.Size), Length + Canary.Size));
            SetHandleAsInvalid();
        }
    }

    protected override bool ReleaseHandle()
    {
        LiveHandles.Unregister(registration);
        if (guardedRegion is not null)
        {
            ReleaseGuarded(guardedRegion);
        }
        else if (slab is not null)
        {
            ReleaseSlot(slab);
        }

        Source.LockRetry.NoteRelease();
        return true;
    }

    private void ReleaseSlot(Slab owner)
    {
        if (!owner.IsIntact(handle, Length))
        {
            // The whole slab: an overflow may have run into a neighbour's secret as well.
            WipeAndStop(owner.Region.Address, (int)owner.Region.Length, "slab slot");
        }

        // The whole slot is wiped, not only Length bytes, so no earlier tenant's bytes survive.
        Zeroing.Overwrite(new Span<byte>((void*)handle, owner.DataSize));
        owner.Shard.Return(owner, slot);
    }

    private void ReleaseGuarded(MappedRegion region)
    {
        // The wipe writes, so a no-access or read-only buffer is opened for writing first.
        if (noAccess || readOnly)
        {
            Source.Protect(region, PageProtection.ReadWrite);
        }

        if (!Canary.Holds(handle - Canary.Size, Canary.Size))
        {
            WipeAndStop(handle, Length, "guarded buffer");
        }

        Source.Wipe(region, new Span<byte>((void*)(handle - Canary.Size), Length + Canary.Size));
        if (!Source.GuardedCache.TryKeep(region))
        {
            Source.Unmap(region);
        }
    }

    /// <summary>
    /// Clears the damaged memory, then ends the process (as memguard does): FailFast writes a crash
    /// dump when one is configured, and the secret must not be in it.
    /// </summary>
    private static void WipeAndStop(nint start, int length, string where)
    {
        // One plain pass: the pages are never used again, and the clear cannot be elided
        // because FailFast, an opaque call, may read them (the dump writer does).
        new Span<byte>((void*)start, length).Clear();

        // The dump FailFast writes would hold every other live secret as well.
        Purger.BeforeFailFast();
        Error.CanaryBroken(where);
    }
}
