using System.Globalization;
using Ama.Cryptography;
using Ama.Cryptography.Memory;
using Ama.Cryptography.Tests.Infrastructure;

namespace Ama.TestHost;

/// <summary>Child-process scenarios for slab overflows and the wipe before FailFast: each may end the process.</summary>
internal static class SlabScenarios
{
    internal static Task<int> RunAsync(string scenario, string[] args) => Task.FromResult(scenario switch
    {
        "slab-overflow" => Overflow(args),
        "slab-past-last-slot" => PastLastSlot(),
        "slab-broken-canary-dump" => BrokenCanaryDump(args),
        _ => Unknown(scenario),
    });

    /// <summary>
    /// Changes the bytes just past a slab buffer, then disposes it: Dispose must stop the process.
    /// Each byte is flipped (XOR), so every written byte really differs from what was there.
    /// Args: size overflowBytes (0 is the negative control).
    /// </summary>
    private static unsafe int Overflow(string[] args)
    {
        int size = int.Parse(args[0], CultureInfo.InvariantCulture);
        int overflow = int.Parse(args[1], CultureInfo.InvariantCulture);

        // A neighbour in the next slot, so the overflow runs towards live data as it would in use.
        using var first = new SecureBuffer(size);
        using var neighbour = new SecureBuffer(size);
        first.Span.Fill(0x11);
        neighbour.Span.Fill(0x22);
        byte* end = (byte*)first.UnsafeAddress + size;
        for (int i = 0; i < overflow; i++)
        {
            end[i] ^= 0x5A;
        }

        Console.WriteLine($"INFO {first}");
        Console.WriteLine("DISPOSING");
        Console.Out.Flush();
        first.Dispose();
        Console.WriteLine("SURVIVED");
        return 0;
    }

    /// <summary>
    /// Fills one slab and starts a second, then writes the first byte past the second's usable pages:
    /// the trailing guard page must fault. Without it the byte would land in whatever the kernel
    /// mapped next, typically the first slab (mappings grow downwards).
    /// </summary>
    private static unsafe int PastLastSlot()
    {
        var shard = new SlabShard(AnonymousPageSource.Locked, SecureBufferOptions.GuardedThreshold);
        (Slab first, _) = shard.Take();
        Slab second = first;
        while (second == first)
        {
            (second, _) = shard.Take();
        }

        byte* pastEnd = (byte*)(second.Region.Address + (nint)second.Region.Length);
        Console.WriteLine($"NEXT-TO-FIRST {(nint)pastEnd == first.Region.Address}");
        Console.WriteLine("WRITING");
        Console.Out.Flush();
        *pastEnd = 1;
        Console.WriteLine("SURVIVED");
        return 0;
    }

    /// <summary>
    /// Holds a secret pattern in a buffer whose canary is then broken, and a control pattern in an
    /// intact buffer of another slab, and disposes the broken one: the process stops, and the crash
    /// dump the runtime writes must hold the control but not the secret.
    /// Args: secretSeed controlSeed kind(slab|guarded) damage(underflow|overflow) purgeOnExit(true|false); a guarded
    /// buffer's overflow faults on its guard page instead, so guarded goes with underflow. With purgeOnExit the
    /// library purges every other live buffer before FailFast too, so the control is gone as well.
    /// </summary>
    private static unsafe int BrokenCanaryDump(string[] args)
    {
        int secretSeed = int.Parse(args[0], CultureInfo.InvariantCulture);
        int controlSeed = int.Parse(args[1], CultureInfo.InvariantCulture);
        bool guarded = args[2] == "guarded";
        bool underflow = args[3] == "underflow";
        SecureMemory.PurgeOnExit = bool.Parse(args[4]);

        // 64 bytes: the 64-byte size class (or its own guarded mapping); the control's 100 bytes live in the 128-byte class.
        var secret = new SecureBuffer(Pattern.Length, new SecureBufferOptions { Guarded = guarded });
        using var control = new SecureBuffer(100);
        Pattern.Fill(secret.Span, secretSeed);
        Pattern.Fill(control.Span[..Pattern.Length], controlSeed);

        byte* damaged = underflow ? (byte*)secret.UnsafeAddress - 1 : (byte*)secret.UnsafeAddress + secret.Length;
        *damaged ^= 0x5A;

        Console.WriteLine($"INFO {secret}; {control}");
        Console.WriteLine("DISPOSING");
        Console.Out.Flush();
        secret.Dispose();
        Console.WriteLine("SURVIVED");
        return 0;
    }

    private static int Unknown(string scenario)
    {
        Console.Error.WriteLine($"unknown scenario '{scenario}'");
        return 64;
    }
}
