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
    /// Builds SecureAesGcm, SecureChaCha20Poly1305 and SecureXChaCha20Poly1305 from SecureBuffers filled with
    /// patterns AES, CHACHA and XCHACHA (then disposed), runs short and long operations through each, and
    /// disposes them too when PHASE is "disposed". The negative control: a BCL AesGcm whose key (pattern
    /// CONTROL) came from a SecureBuffer, alive. Prints "ready" and waits on stdin so the test can dump.
    /// </summary>
    private static int Hold(string phase, int[] seeds)
    {
        var aesGcm = FromKey(seeds[0], key => new SecureAesGcm(key));
        var chacha = FromKey(seeds[1], key => new SecureChaCha20Poly1305(key));
        var xchacha = FromKey(seeds[2], key => new SecureXChaCha20Poly1305(key));
        using var control = FromKey(seeds[3], key => new AesGcm(key.Span, 16));

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
        }

        Console.WriteLine($"aes-supported {SecureAesGcm.IsSupported}");
        if (phase == "disposed")
        {
            aesGcm.Dispose();
            chacha.Dispose();
            xchacha.Dispose();
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
        return 0;
    }

    /// <summary>Fills a 32-byte key in place in secure memory (so no other copy exists), builds from it, disposes it.</summary>
    private static T FromKey<T>(int seed, Func<SecureBuffer, T> create)
    {
        using var key = new SecureBuffer(32);
        Pattern.Fill(key.Span, seed);
        return create(key);
    }
}
