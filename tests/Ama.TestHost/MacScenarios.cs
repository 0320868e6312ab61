using System.Globalization;
using System.Security.Cryptography;
using Ama.Cryptography;
using Ama.Cryptography.Tests.Infrastructure;

namespace Ama.TestHost;

/// <summary>Child-process scenarios for SecureHmac and SecureHkdf: dumps while live and after Dispose.</summary>
internal static class MacScenarios
{
    private const int KeyLength = 32;

    private static readonly byte[] Salt = "mac-dump-salt"u8.ToArray();

    private static readonly byte[] Info = "mac-dump-info"u8.ToArray();

    internal static async Task<int> RunAsync(string scenario, string[] args)
    {
        switch (scenario)
        {
            case "primitive-mac-hold":
                return await HoldAsync(args.Select(a => int.Parse(a, CultureInfo.InvariantCulture)).ToArray());
            case "primitive-mac-supported":
                return Supported();
            default:
                await Console.Error.WriteLineAsync($"unknown scenario '{scenario}'");
                return 64;
        }
    }

    /// <summary>
    /// Keys a SHA-256 and a SHA-512 SecureHmac from a SecureBuffer with pattern KEYSEED, and derives 64 bytes
    /// with SecureHkdf (SHA-256 and SHA-512) from IKM pattern IKMSEED; the source buffers are disposed at once,
    /// and every operation is used. As negative controls it keeps an IncrementalHash HMAC-SHA-256 over key
    /// pattern CONTROLSEED and an HMACSHA256 over key pattern HMACSEED; their own arrays are zeroed, so only
    /// the copies the BCL and OpenSSL made remain. Prints "live",
    /// waits for "dispose", disposes the primitives and the outputs, prints "disposed", waits for "exit".
    /// </summary>
    private static async Task<int> HoldAsync(int[] seeds)
    {
        (SecureHmac sha256, SecureHmac sha512) = KeyedFromBuffer(seeds[0]);
        (SecureBuffer okm256, SecureBuffer okm512) = DerivedFromBuffer(seeds[1]);
        using IncrementalHash control = ControlIncrementalHash(seeds[2]);
        using HMACSHA256 controlHmac = ControlHmacSha256(seeds[3]);
        Use(sha256);
        Use(sha512);

        Console.WriteLine("live");
        await WaitForCommandAsync("dispose");
        sha256.Dispose();
        sha512.Dispose();
        okm256.Dispose();
        okm512.Dispose();
        GC.Collect();
        GC.WaitForPendingFinalizers();
        Console.WriteLine("disposed");
        await WaitForCommandAsync("exit");
        GC.KeepAlive(control);
        GC.KeepAlive(controlHmac);
        return 0;
    }

    /// <summary>Prints "supported True|False", then what a constructor throws.</summary>
    private static int Supported()
    {
        Console.WriteLine($"supported {SecureHmac.IsSupported}");
        try
        {
            using var hmac = new SecureHmac(HashAlgorithmName.SHA256, new byte[32]);
            Console.WriteLine("constructed");
        }
        catch (PlatformNotSupportedException e)
        {
            Console.WriteLine($"threw {e.GetType().Name}: {e.Message}");
        }

        return 0;
    }

    private static (SecureHmac, SecureHmac) KeyedFromBuffer(int seed)
    {
        using var key = new SecureBuffer(KeyLength);
        Pattern.Fill(key.Span, seed);
        return (new SecureHmac(HashAlgorithmName.SHA256, key), new SecureHmac(HashAlgorithmName.SHA512, key));
    }

    private static (SecureBuffer, SecureBuffer) DerivedFromBuffer(int seed)
    {
        using var ikm = new SecureBuffer(KeyLength);
        Pattern.Fill(ikm.Span, seed);
        return (SecureHkdf.DeriveKey(HashAlgorithmName.SHA256, ikm, 64, Salt, Info), SecureHkdf.DeriveKey(HashAlgorithmName.SHA512, ikm, 64, Salt, Info));
    }

    private static IncrementalHash ControlIncrementalHash(int seed)
    {
        byte[] key = GC.AllocateArray<byte>(KeyLength, pinned: true);
        Pattern.Fill(key, seed);
        IncrementalHash control = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, key);
        CryptographicOperations.ZeroMemory(key);
        control.AppendData(new byte[1000]);
        _ = control.GetHashAndReset();
        return control;
    }

    private static HMACSHA256 ControlHmacSha256(int seed)
    {
        byte[] key = GC.AllocateArray<byte>(KeyLength, pinned: true);
        Pattern.Fill(key, seed);
        var control = new HMACSHA256(key);
        CryptographicOperations.ZeroMemory(key);
        _ = control.ComputeHash(new byte[1000]);
        return control;
    }

    private static void Use(SecureHmac hmac)
    {
        byte[] data = new byte[5000];
        byte[] tag = new byte[hmac.HashSizeInBytes];
        hmac.ComputeHash(data, tag);
        bool verified = hmac.Verify(data, tag);
        hmac.AppendData(data);
        hmac.GetHashAndReset(tag);
        hmac.AppendData(data.AsSpan(0, 100));
        Console.WriteLine($"verified {verified}");
    }

    private static async Task WaitForCommandAsync(string command)
    {
        while (await Console.In.ReadLineAsync() is string line)
        {
            if (line == command)
            {
                return;
            }
        }
    }
}
