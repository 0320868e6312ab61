using System.Security.Cryptography;
using System.Text;
using Ama.Cryptography;

namespace Ama.Samples;

internal static class SecureBufferExample
{
    internal static void Run()
    {
        byte[] message = Encoding.UTF8.GetBytes("hello");

        // Allocate a 32-byte secure buffer: secret memory, locked, zeroed on Dispose
        using (var buffer = new SecureBuffer(32))
        {
            RandomNumberGenerator.Fill(buffer.Span);   // load key material

            byte[] tag = HMACSHA256.HashData(buffer.Span, message);
            Console.WriteLine($"tag: {Convert.ToHexString(tag)}, locked: {buffer.IsLocked}");
        }

        // buffer is zeroed (0x00, 0xFF, 0x00), unlocked and freed here, even if an exception was thrown
    }
}
