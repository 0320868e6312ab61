using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Ama.Cryptography.KeyManagement;

namespace Ama.TestHost;

/// <summary>Child-process scenarios for the KeyRingAead tests: another process rotating the key the test's ring uses.</summary>
internal static class KeyRingScenarios
{
    internal static Task<int> RunAsync(string scenario, string[] args) => Task.FromResult(scenario switch
    {
        "keyring-rotate" => Rotate(args[0], args[1], args[2], int.Parse(args[3], CultureInfo.InvariantCulture), waitForGo: false),
        "keyring-rotate-on-go" => Rotate(args[0], args[1], args[2], int.Parse(args[3], CultureInfo.InvariantCulture), waitForGo: true),
        _ => Unknown(scenario),
    });

    private static int Unknown(string scenario)
    {
        Console.Error.WriteLine($"unknown scenario '{scenario}'");
        return 64;
    }

    /// <summary>
    /// Stores COUNT new random versions of NAME; after each prints "rotated VERSION CIPHERTEXT-HEX", the ciphertext
    /// being this process's own KeyRingAead encryption of "child-VERSION". With waitForGo, reads a line from stdin
    /// before each rotation, so the test decides when they happen. Prints "done" at the end.
    /// </summary>
    private static int Rotate(string path, string storeKeyHex, string name, int count, bool waitForGo)
    {
        using var credential = KeyStoreCredential.FromKey(Convert.FromHexString(storeKeyHex));
        using var storage = SecureKeyStorage.Open(path, credential);
        using var ring = KeyRingAead.Open(storage, name);
        for (int i = 0; i < count; i++)
        {
            if (waitForGo && Console.ReadLine() is null)
            {
                return 1;
            }

            int version = storage.Store(name, RandomNumberGenerator.GetBytes(32));
            byte[] ciphertext = ring.Encrypt(Encoding.UTF8.GetBytes($"child-{version}"));
            Console.WriteLine($"rotated {version} {Convert.ToHexStringLower(ciphertext)}");
        }

        Console.WriteLine("done");
        return 0;
    }
}
