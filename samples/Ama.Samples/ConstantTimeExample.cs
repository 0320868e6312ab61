using System.Security.Cryptography;
using System.Text;
using Ama.Cryptography;

namespace Ama.Samples;

internal static class ConstantTimeExample
{
    internal static void Run()
    {
        byte[] key = RandomNumberGenerator.GetBytes(32);
        byte[] message = Encoding.UTF8.GetBytes("hello");
        byte[] receivedTag = HMACSHA256.HashData(key, message);

        // Timing-safe: the time depends only on the lengths, never on the bytes or where the tags differ
        byte[] expectedTag = HMACSHA256.HashData(key, message);
        if (SecureMemory.ConstantTimeEquals(expectedTag, receivedTag))
        {
            Console.WriteLine("HMAC valid");
        }
        else
        {
            Console.WriteLine("HMAC invalid");
        }

        // Never compare secrets with expectedTag.SequenceEqual(receivedTag): it stops at the first difference
    }
}
