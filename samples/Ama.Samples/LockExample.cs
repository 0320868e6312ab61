using System.Security.Cryptography;
using Ama.Cryptography;

namespace Ama.Samples;

internal static class LockExample
{
    internal static void Run()
    {
        byte[] masterKey = RandomNumberGenerator.GetBytes(32);

        // Pin the array and lock its pages into RAM (no swap, no GC copies)
        SecureMemory.Lock(masterKey);
        try
        {
            Console.WriteLine("Memory locked in RAM (will not swap)");
            // ... use masterKey for the session ...
        }
        finally
        {
            SecureMemory.Zero(masterKey);     // wipe while the pages are still locked
            SecureMemory.Unlock(masterKey);   // each Lock needs one Unlock
        }
    }
}
