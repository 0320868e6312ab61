using System.Globalization;
using System.Security.Cryptography;
using Ama.Cryptography;
using Ama.Cryptography.Tests.Infrastructure;

namespace Ama.TestHost;

/// <summary>Child-process scenarios for the dump tests of the secure AEADs.</summary>
internal static class AeadScenarios
{
    internal static Task<int> RunAsync(string scenario, string[] args) => Task.FromResult(scenario switch
    {
        "primitive-aead-hold" => Hold(args[0], [.. args[1..].Select(a => int.Parse(a, CultureInfo.InvariantCulture))]),
        _ => Unknown(scenario),
    });

    private static int Unknown(string scenario)
    {
        Console.Error.WriteLine($"unknown scenario '{scenario}'");
        return 64;
    }

    /// <summary>
    /// Builds SecureAesGcm, SecureChaCha20Poly1305, SecureXChaCha20Poly1305, SecureAegis256 and SecureAegis128L from
    /// SecureBuffers filled with patterns AES, CHACHA, XCHACHA, AEGIS256 and AEGIS128L (then disposed; the AEGIS-128L
    /// key is the first 16 bytes), runs short and long operations through each, and disposes them too when PHASE is
    /// "disposed". The negative control: a BCL AesGcm whose key (pattern CONTROL, the fourth seed) came from a
    /// SecureBuffer, alive. Prints "ready" and waits on stdin so the test can dump.
    /// </summary>
    private static int Hold(string phase, int[] seeds)
    {
        var aesGcm = FromKey(seeds[0], key => new SecureAesGcm(key));
        var chacha = FromKey(seeds[1], key => new SecureChaCha20Poly1305(key));
        var xchacha = FromKey(seeds[2], key => new SecureXChaCha20Poly1305(key));
        using var control = FromKey(seeds[3], key => new AesGcm(key.Span, 16));
        var aegis256 = FromKey(seeds[4], key => new SecureAegis256(key));
        var aegis128L = FromKey(seeds[5], key => new SecureAegis128L(key), SecureAegis128L.KeySizeInBytes);

        foreach (int length in new[] { 64, 16 * 1024 })
        {
            byte[] data = new byte[length], tag = new byte[16];
            aesGcm.Encrypt(new byte[12], data, data, tag);
            aesGcm.Decrypt(new byte[12], data, tag, data);
            chacha.Encrypt(new byte[12], data, data, tag);
            chacha.Decrypt(new byte[12], data, tag, data);
            xchacha.Encrypt(new byte[24], data, data, tag);
            using SecureBuffer opened = xchacha.DecryptToSecureBuffer(new byte[24], data, tag);
            control.Encrypt(new byte[12], data, data, tag);
            byte[] longTag = new byte[SecureAegis256.TagSizeInBytes];
            aegis256.Encrypt(new byte[32], data, data, longTag);
            aegis256.Decrypt(new byte[32], data, longTag, data);
            aegis128L.Encrypt(new byte[16], data, data, longTag);
            using SecureBuffer openedAegis = aegis128L.DecryptToSecureBuffer(new byte[16], data, longTag);
        }

        Console.WriteLine($"aes-supported {SecureAesGcm.IsSupported}");
        if (phase == "disposed")
        {
            aesGcm.Dispose();
            chacha.Dispose();
            xchacha.Dispose();
            aegis256.Dispose();
            aegis128L.Dispose();
        }

        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        Console.WriteLine("ready");
        Console.Out.Flush();
        _ = Console.ReadLine();
        GC.KeepAlive(aesGcm);
        GC.KeepAlive(chacha);
        GC.KeepAlive(xchacha);
        GC.KeepAlive(aegis256);
        GC.KeepAlive(aegis128L);
        return 0;
    }

    /// <summary>Fills a key (32 bytes unless told) in place in secure memory (so no other copy exists), builds from it, disposes it.</summary>
    private static T FromKey<T>(int seed, Func<SecureBuffer, T> create, int size = 32)
    {
        using var key = new SecureBuffer(size);
        Pattern.Fill(key.Span, seed);
        return create(key);
    }
}
