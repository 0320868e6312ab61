using System.Security.Cryptography;
using System.Text;
using Ama.Cryptography;

namespace Ama.Samples;

internal static class ZeroExample
{
    internal static void Run()
    {
        byte[] message = Encoding.UTF8.GetBytes("hello");

        byte[] secretKey = RandomNumberGenerator.GetBytes(32);
        byte[] signature = HMACSHA256.HashData(secretKey, message);

        // Zero immediately after use: three passes, then a check that every byte reads zero
        SecureMemory.Zero(secretKey);
        Console.WriteLine($"signature: {Convert.ToHexString(signature)}, key wiped: {secretKey.All(b => b == 0)}");
    }
}
