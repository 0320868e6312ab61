using System.Runtime.InteropServices;
using Ama.Cryptography.Primitives;

namespace Ama.Cryptography.Memory;

/// <summary>
/// <see cref="SecureMemory.PurgeAll"/> and the hooks that run it when the process ends: at ProcessExit, on an
/// unhandled exception, before the library's FailFast, and on SIGINT, SIGQUIT and SIGTERM. The hooks are installed
/// by the first secure allocation, so a process that never allocates pays nothing.
/// </summary>
internal static class Purger
{
    private static volatile bool onExit = true;
    private static int hooksInstalled;

    // Held for the life of the process: a collected registration would unregister its handler.
    private static PosixSignalRegistration[]? signalRegistrations;

    internal static bool OnExit
    {
        get => onExit;
        set
        {
            onExit = value;
            if (value)
            {
                EnsureHooks();
            }
        }
    }

    /// <summary>Zeroes and closes every live allocation and the enclave key; returns how many allocations it wiped.</summary>
    internal static int PurgeAll()
    {
        // The enclave key first, so no seal or open starts with a key that is being wiped.
        EnclaveKey.Purge();
        int wiped = 0;
        foreach (SecureMemoryHandle handle in LiveHandles.Snapshot())
        {
            if (handle.Purge())
            {
                wiped++;
            }
        }

        return wiped;
    }

    /// <summary>Purges before the library stops the process, unless <see cref="SecureMemory.PurgeOnExit"/> is off.</summary>
    internal static void BeforeFailFast()
    {
        if (onExit)
        {
            PurgeAll();
        }
    }

    internal static void EnsureHooks()
    {
        if (Volatile.Read(ref hooksInstalled) != 0 || Interlocked.Exchange(ref hooksInstalled, 1) != 0)
        {
            return;
        }

        AppDomain.CurrentDomain.ProcessExit += static (_, _) => PurgeIfEnabled();
        AppDomain.CurrentDomain.UnhandledException += static (_, _) => PurgeIfEnabled();
        signalRegistrations ??= RegisterSignals();
    }

    private static void PurgeIfEnabled()
    {
        if (onExit)
        {
            PurgeAll();
        }
    }

    private static PosixSignalRegistration[]? RegisterSignals()
    {
        if (!OperatingSystem.IsLinux() && !OperatingSystem.IsMacOS() && !OperatingSystem.IsFreeBSD())
        {
            return null;
        }

        return
        [
            PosixSignalRegistration.Create(PosixSignal.SIGINT, static context => ExitOnSignal(context, 2)),
            PosixSignalRegistration.Create(PosixSignal.SIGQUIT, static context => ExitOnSignal(context, 3)),
            PosixSignalRegistration.Create(PosixSignal.SIGTERM, static context => ExitOnSignal(context, 15)),
        ];
    }

    /// <summary>
    /// Reached when no handler registered after this one cancelled the signal (the runtime runs the latest registration
    /// first). In a plain program nothing else handles it, and the default action would end the process without
    /// ProcessExit, so the signal is cancelled and the process exits with the shell's code for it; the purge runs at
    /// ProcessExit. When the Generic Host is loaded, its lifetime (ConsoleLifetime, systemd) handles the signal with a
    /// graceful shutdown that may still use keys, and may come after this handler in the chain: the signal is left to
    /// it, and the purge runs at the ProcessExit that ends the shutdown.
    /// </summary>
    private static void ExitOnSignal(PosixSignalContext context, int signalNumber)
    {
        if (!onExit || HostHandlesSignals())
        {
            return;
        }

        context.Cancel = true;
        Environment.Exit(128 + signalNumber);
    }

    private static bool HostHandlesSignals() =>
        AppDomain.CurrentDomain.GetAssemblies().Any(static a => a.GetName().Name == "Microsoft.Extensions.Hosting");
}
