using System.Security.Cryptography;
using System.Text;
using Ama.Cryptography;
using Ama.Cryptography.Interop;
using Ama.Cryptography.KeyManagement;

namespace Ama.TestHost;

/// <summary>
/// Runs the public surface as it runs off Linux: the process takes the macOS paths (no memfd_secret,
/// no Linux madvise flags, no statx, no /proc, no scrubbing stub, no system libcrypto), and a
/// Linux-only C library call throws instead of reaching the kernel. Prints one line per step.
/// </summary>
internal static class PlatformScenarios
{
    internal static Task<int> RunAsync(string scenario, string[] args) => Task.FromResult(scenario switch
    {
        "platform-macos" => MacOS(args[0]),
        _ => Unknown(scenario),
    });

    private static int MacOS(string directory)
    {
        Platform.SimulateMacOSForTests();
        Status();
        Buffers();
        SelfTest();
        Aeads();
        Macs();
        Curves();
        KeyStores(directory);
        Guard();
        Console.WriteLine("DONE");
        return 0;
    }

    private static void Status()
    {
        SecureMemoryStatus status = SecureMemory.GetStatus();
        Console.WriteLine($"STATUS source={status.MemorySource} secret={status.SecretMemoryAvailable} locking={status.LockingWorks} " +
            $"ipclock={status.HasIpcLockCapability} scrubbing={status.RegisterAndStackScrubbing}");
        Console.WriteLine($"SECRET-PROBLEM {status.SecretMemoryProblem}");
    }

    private static void Buffers()
    {
        foreach (SecureBufferOptions options in new[]
        {
            new SecureBufferOptions(),
            new SecureBufferOptions { Guarded = true },
            new SecureBufferOptions { Source = SecureMemorySource.UnlockedPages },
            new SecureBufferOptions { Source = SecureMemorySource.Managed },
        })
        {
            using var buffer = new SecureBuffer(100, options);
            buffer.Span.Fill(0x5A);
            Console.WriteLine($"BUFFER source={buffer.Source} locked={buffer.IsLocked} guarded={options.Guarded} ok={buffer.Span[99] == 0x5A}");
        }

        try
        {
            using var secret = new SecureBuffer(32, new SecureBufferOptions { Source = SecureMemorySource.SecretMemory });
            Console.WriteLine("SECRET-BUFFER allocated");
        }
        catch (SecureMemoryException e)
        {
            Console.WriteLine($"SECRET-BUFFER refused: {e.Message}");
        }
    }

    private static void SelfTest()
    {
        SelfTestReport report = SecureMemorySelfTest.Run();
        foreach (SelfTestCheck check in report.Checks)
        {
            Console.WriteLine($"CHECK {check.Id} {check.Outcome}: {check.Detail}");
        }
    }

    private static void Aeads()
    {
        byte[] key = RandomNumberGenerator.GetBytes(32);
        byte[] plain = Encoding.ASCII.GetBytes("platform");
        var cipher = new byte[plain.Length];
        var tag = new byte[16];
        var back = new byte[plain.Length];
        if (SecureAesGcm.IsSupported)
        {
            using var aes = new SecureAesGcm(key);
            aes.Encrypt(new byte[12], plain, cipher, tag);
            aes.Decrypt(new byte[12], cipher, tag, back);
            Console.WriteLine($"AESGCM ok={back.AsSpan().SequenceEqual(plain)}");
        }
        else
        {
            Console.WriteLine("AESGCM unsupported (no AES instructions)");
        }

        using var chacha = new SecureChaCha20Poly1305(key);
        chacha.Encrypt(new byte[12], plain, cipher, tag);
        chacha.Decrypt(new byte[12], cipher, tag, back);
        Console.WriteLine($"CHACHA ok={back.AsSpan().SequenceEqual(plain)}");

        using var xchacha = new SecureXChaCha20Poly1305(key);
        xchacha.Encrypt(new byte[24], plain, cipher, tag);
        xchacha.Decrypt(new byte[24], cipher, tag, back);
        Console.WriteLine($"XCHACHA ok={back.AsSpan().SequenceEqual(plain)}");
    }

    private static void Macs()
    {
        Console.WriteLine($"HMAC supported={SecureHmac.IsSupported}");
        try
        {
            using var hmac = new SecureHmac(HashAlgorithmName.SHA256, new byte[32]);
            Console.WriteLine("HMAC constructed");
        }
        catch (PlatformNotSupportedException e)
        {
            Console.WriteLine($"HMAC refused: {e.Message}");
        }

        try
        {
            using SecureBuffer derived = SecureHkdf.DeriveKey(HashAlgorithmName.SHA256, new byte[32], 32);
            Console.WriteLine("HKDF derived");
        }
        catch (PlatformNotSupportedException e)
        {
            Console.WriteLine($"HKDF refused: {e.Message}");
        }
    }

    private static void Curves()
    {
        using var signer = SecureEd25519.Generate();
        var signature = new byte[SecureEd25519.SignatureSize];
        signer.Sign("platform"u8, signature);
        Console.WriteLine($"ED25519 ok={SecureEd25519.Verify(signer.PublicKey, "platform"u8, signature)}");

        using var alice = SecureX25519.Generate();
        using var bob = SecureX25519.Generate();
        using SecureBuffer ab = alice.DeriveSharedSecret(bob.PublicKey);
        using SecureBuffer ba = bob.DeriveSharedSecret(alice.PublicKey);
        Console.WriteLine($"X25519 ok={SecureMemory.ConstantTimeEquals(ab.Span, ba.Span)}");
    }

    private static void KeyStores(string directory)
    {
        using (var memory = new SecureKeyStorage(RandomNumberGenerator.GetBytes(32)))
        {
            memory.Store("k", "in memory"u8);
            using SecureBuffer key = memory.Retrieve("k");
            Console.WriteLine($"KEYSTORE-MEMORY ok={key.Span.SequenceEqual("in memory"u8)}");
        }

        string path = Path.Combine(directory, "platform.amaks");
        byte[] credentialKey = RandomNumberGenerator.GetBytes(KeyStoreCredential.KeyLength);
        using (var credential = KeyStoreCredential.FromKey(credentialKey))
        using (var created = SecureKeyStorage.Create(path, credential))
        {
            created.Store("k", "on a file"u8);
        }

        using (var credential = KeyStoreCredential.FromKey(credentialKey))
        using (var opened = SecureKeyStorage.Open(path, credential))
        using (SecureBuffer key = opened.Retrieve("k"))
        {
            Console.WriteLine($"KEYSTORE-FILE ok={key.Span.SequenceEqual("on a file"u8)}");
        }
    }

    /// <summary>The control: a Linux-only call made anyway is refused, so the steps above reached none.</summary>
    private static void Guard()
    {
        try
        {
            _ = Libc.Madvise(0, 0, Libc.MADV_DONTDUMP);
            Console.WriteLine("GUARD madvise reached the kernel");
        }
        catch (PlatformNotSupportedException e)
        {
            Console.WriteLine($"GUARD refused: {e.Message}");
        }
    }

    private static int Unknown(string scenario)
    {
        Console.Error.WriteLine($"unknown scenario '{scenario}'");
        return 64;
    }
}
