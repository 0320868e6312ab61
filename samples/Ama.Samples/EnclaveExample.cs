using Ama.Cryptography;

namespace Ama.Samples;

internal static class EnclaveExample
{
    internal static void Run()
    {
        // Many secrets (per-tenant keys, session tokens) kept sealed in ordinary memory: one sealing key in
        // secure memory serves them all, so a million of them lock no more memory than one
        var tenantKeys = new Dictionary<string, SecureEnclave>();
        foreach (string tenant in new[] { "alpha", "beta", "gamma" })
        {
            using SecureBuffer key = SecureMemory.RandomBytes(32);
            tenantKeys[tenant] = SecureEnclave.Seal(key); // copies: the buffer is still ours to dispose
        }

        // Open one when it is needed: the plaintext exists only in the SecureBuffer, until Dispose
        using (SecureBuffer key = tenantKeys["beta"].Open())
        {
            Console.WriteLine($"beta's key: {key.Length} bytes");
        }

        foreach (SecureEnclave enclave in tenantKeys.Values)
        {
            enclave.Dispose(); // zeroes the sealed bytes too
        }
    }
}
