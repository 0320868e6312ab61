using System.Runtime.InteropServices;

namespace Ama.Cryptography.Memory;

/// <summary>
/// The last resort: arrays on the Pinned Object Heap. They never move, so zeroing leaves no
/// stale copy, but nothing keeps them out of swap or dumps, and the status says so.
/// </summary>
internal sealed class ManagedPageSource : PageSource
{
    internal static ManagedPageSource Instance { get; } = new();

    internal override SecureMemorySource Kind => SecureMemorySource.Managed;

    internal override bool Locks => false;

    internal override string Name => "managed";

    internal override MappedRegion Map(nuint length, bool guarded)
    {
        byte[] array = GC.AllocateArray<byte>(checked((int)length), pinned: true);
        nint address = Marshal.UnsafeAddrOfPinnedArrayElement(array, 0);
        return new MappedRegion(address, length, Locked: false, Guarded: false, array);
    }

    internal override void Unmap(MappedRegion region)
    {
        // The GC reclaims the array once the region is no longer referenced.
    }

    internal override bool CanProtect => false;

    internal override void Protect(MappedRegion region, PageProtection protection)
    {
        // Managed memory cannot be made no-access; guarded buffers from here are only canary-checked.
    }
}
