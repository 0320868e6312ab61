using System.Security.Cryptography;
using Ama.Cryptography;

namespace Ama.Samples;

internal static class ReadersExample
{
    internal static void Run()
    {
        if (OperatingSystem.IsWindows() || !SecureHmac.IsSupported)
        {
            Console.WriteLine("The reader example needs Linux or macOS and the system's OpenSSL libcrypto");
            return;
        }

        string path = Path.Combine(Path.GetTempPath(), $"ama-sample-{Environment.ProcessId}.b64");
        File.WriteAllText(path, Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)) + "\n");
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        try
        {
            // path names a key file made with: openssl rand -base64 32 > key.b64 && chmod 600 key.b64
            // The file goes straight into secure memory, then is decoded there: no byte[] or string holds the key
            using (SecureBuffer text = SecureBuffer.ReadFile(path))
            using (SecureBuffer key = SecureBuffer.FromBase64(text.Span))
            {
                using var hmac = new SecureHmac(HashAlgorithmName.SHA256, key);
                Console.WriteLine($"key: {key.Length} bytes, locked: {key.IsLocked}");
            }

            // Under systemd, with LoadCredential=db-key:/etc/myapp/db-key (or LoadCredentialEncrypted=) in the unit
            if (Environment.GetEnvironmentVariable("CREDENTIALS_DIRECTORY") is not null)
            {
                using SecureBuffer dbKey = SecureBuffer.ReadCredential("db-key");
                Console.WriteLine($"credential: {dbKey.Length} bytes");
            }
        }
        finally
        {
            File.Delete(path);
        }
    }
}
