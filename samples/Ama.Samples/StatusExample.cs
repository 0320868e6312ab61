using Ama.Cryptography;

namespace Ama.Samples;

internal static class StatusExample
{
    internal static void Run()
    {
        SecureMemoryStatus status = SecureMemory.GetStatus();
        Console.WriteLine($"backend: {status.Backend}, memory: {status.MemorySource}, locking works: {status.LockingWorks}");
        Console.WriteLine($"RLIMIT_MEMLOCK: {status.MemoryLockLimitSoft?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "unlimited"}, CAP_IPC_LOCK: {status.HasIpcLockCapability}, core dumps: {status.CoreDumpsEnabled}");
    }
}
