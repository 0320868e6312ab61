using System.Numerics;
using System.Runtime.InteropServices;

namespace Ama.Cryptography.Memory;

/// <summary>
/// Every live secure allocation, so that <see cref="SecureMemory.PurgeAll"/> can find them. Each entry is a
/// weak GC handle that tracks resurrection (an allocation dropped without Dispose holds its bytes until its
/// finalizer runs, which at exit may be never, so the purge must still see it), allocated once and then reused: registering costs one uncontended lock on the
/// calling processor's stripe and a store into the handle, and an undisposed buffer still reaches its
/// finalizer. The stripes hold only references, never secret bytes.
/// </summary>
internal static class LiveHandles
{
    private static readonly Stripe[] Stripes = CreateStripes();

    /// <summary>Records <paramref name="handle"/>; the returned ticket unregisters it.</summary>
    internal static int Register(SecureMemoryHandle handle)
    {
        Purger.EnsureHooks();
        int stripe = Thread.GetCurrentProcessorId() & (Stripes.Length - 1);
        int slot = Stripes[stripe].Add(handle);
        return checked((slot * Stripes.Length) + stripe);
    }

    internal static void Unregister(int ticket) =>
        Stripes[ticket & (Stripes.Length - 1)].Remove(ticket / Stripes.Length);

    /// <summary>The handles registered at this moment; some may be disposed by the time the caller looks.</summary>
    internal static List<SecureMemoryHandle> Snapshot()
    {
        var live = new List<SecureMemoryHandle>();
        foreach (Stripe stripe in Stripes)
        {
            stripe.CopyTo(live);
        }

        return live;
    }

    private static Stripe[] CreateStripes()
    {
        int count = (int)BitOperations.RoundUpToPowerOf2((uint)Environment.ProcessorCount);
        var stripes = new Stripe[count];
        for (int i = 0; i < count; i++)
        {
            stripes[i] = new Stripe();
        }

        return stripes;
    }

    private sealed class Stripe
    {
        private readonly Lock gate = new();
        private readonly List<GCHandle> slots = [];
        private readonly Stack<int> free = new();

        internal int Add(SecureMemoryHandle handle)
        {
            lock (gate)
            {
                if (free.TryPop(out int slot))
                {
                    GCHandle entry = slots[slot];
                    entry.Target = handle;
                    return slot;
                }

                slots.Add(GCHandle.Alloc(handle, GCHandleType.WeakTrackResurrection));
                return slots.Count - 1;
            }
        }

        internal void Remove(int slot)
        {
            lock (gate)
            {
                GCHandle entry = slots[slot];
                entry.Target = null;
                free.Push(slot);
            }
        }

        internal void CopyTo(List<SecureMemoryHandle> live)
        {
            lock (gate)
            {
                foreach (GCHandle entry in slots)
                {
                    if (entry.Target is SecureMemoryHandle handle)
                    {
                        live.Add(handle);
                    }
                }
            }
        }
    }
}
