using System.Globalization;
using System.Security.Cryptography;
using Ama.Cryptography;
using Ama.Cryptography.Tests.Infrastructure;

namespace Ama.TestHost;

/// <summary>Child-process scenarios for the SecureEd25519 and SecureX25519 dump tests.</summary>
internal static class CurveScenarios
{
    internal static Task<int> RunAsync(string scenario, string[] args) => Task.FromResult(scenario switch
    {
        "primitive-curve-dump" => HoldKeys(Seed(args[0]), Seed(args[1]), Seed(args[2])),
        "primitive-curve-format-dump" => HoldFormattedKeys(Seed(args[0]), Seed(args[1]), Seed(args[2])),
        _ => Unknown(scenario),
    });

    private static int Seed(string text) => int.Parse(text, CultureInfo.InvariantCulture);

    private static int Unknown(string scenario)
    {
        Console.Error.WriteLine($"unknown scenario '{scenario}'");
        return 64;
    }

    /// <summary>
    /// Builds a SecureEd25519 from seed pattern EDSEED and a SecureX25519 from private key pattern XSEED, each out
    /// of a SecureBuffer that is then disposed; signs and agrees with a generated peer (prints "peer HEX").
    /// It also exports both keys raw and as PKCS#8 and imports the Ed25519 PKCS#8 again.
    /// As the negative control it keeps plain arrays with what the test searches for, made from pattern
    /// CONTROLSEED: the seed, its expanded Ed25519 scalar, and the X25519 shared secret of that pattern with the peer.
    /// Prints "READY" and waits; on the line "dispose" disposes the keys and the shared secret, prints "DISPOSED", waits.
    /// </summary>
    private static int HoldKeys(int edSeed, int xSeed, int controlSeed)
    {
        using var peer = SecureX25519.Generate();
        Console.WriteLine($"peer {Convert.ToHexStringLower(peer.PublicKey)}");
        (byte[] controlPattern, byte[] controlScalar, byte[] controlShared) = MakeControls(controlSeed, peer.PublicKey);

        SecureEd25519 signer = FromPattern(edSeed, static buffer => SecureEd25519.FromSeed(buffer));
        SecureX25519 agreement = FromPattern(xSeed, static buffer => SecureX25519.FromPrivateKey(buffer));
        Console.WriteLine($"signed {SignAndVerify(signer)}");
        SecureBuffer shared = agreement.DeriveSharedSecret(peer.PublicKey);
        using (SecureBuffer peerShared = peer.DeriveSharedSecret(agreement.PublicKey))
        {
            Console.WriteLine($"agreed {peerShared.Span.SequenceEqual(shared.Span)}");
        }

        using (SecureBuffer exported = signer.ExportSeed())
        using (SecureBuffer exportedKey = agreement.ExportPrivateKey())
        using (SecureBuffer edPkcs8 = signer.ExportPkcs8PrivateKey())
        using (SecureBuffer xPkcs8 = agreement.ExportPkcs8PrivateKey())
        using (var reimported = SecureEd25519.FromPkcs8PrivateKey(edPkcs8.Span))
        {
            Console.WriteLine($"exported {exported.Length + exportedKey.Length + edPkcs8.Length + xPkcs8.Length} {reimported.PublicKey.SequenceEqual(signer.PublicKey)}");
        }

        WaitForDump("READY");
        signer.Dispose();
        agreement.Dispose();
        shared.Dispose();
        WaitForDump("DISPOSED");
        GC.KeepAlive(controlPattern);
        GC.KeepAlive(controlScalar);
        GC.KeepAlive(controlShared);
        return 0;
    }

    /// <summary>
    /// Builds a SecureEd25519 from seed pattern EDSEED and a SecureX25519 from private key pattern XSEED, exports each
    /// as PKCS#8 PEM and as a private JWK, reads both back (FromPem, FromJwk) and checks the public keys (prints
    /// "formats True"). The exports are held live until the dump. As the negative control it keeps, for pattern
    /// CONTROLSEED, the raw bytes, and its base64url and PEM texts both as UTF-8 arrays and as strings.
    /// Prints "READY" (without a collection first) and waits; on "dispose" disposes everything, prints "DISPOSED", waits.
    /// </summary>
    private static int HoldFormattedKeys(int edSeed, int xSeed, int controlSeed)
    {
        byte[] controlPattern = new byte[32];
        Pattern.Fill(controlPattern, controlSeed);
        string controlJwkText = Convert.ToBase64String(controlPattern).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        string controlPemText = Convert.ToBase64String([.. new byte[16], .. controlPattern]);
        byte[] controlUtf8 = System.Text.Encoding.ASCII.GetBytes(controlJwkText + " " + controlPemText);

        SecureEd25519 signer = FromPattern(edSeed, static buffer => SecureEd25519.FromSeed(buffer));
        SecureX25519 agreement = FromPattern(xSeed, static buffer => SecureX25519.FromPrivateKey(buffer));
        SecureBuffer[] exports = [signer.ExportPkcs8PrivateKeyPem(), signer.ExportJwk(), agreement.ExportPkcs8PrivateKeyPem(), agreement.ExportJwk()];
        using (var edFromPem = SecureEd25519.FromPem(exports[0].Span))
        using (var edFromJwk = SecureEd25519.FromJwk(exports[1].Span))
        using (var xFromPem = SecureX25519.FromPem(exports[2].Span))
        using (var xFromJwk = SecureX25519.FromJwk(exports[3].Span))
        {
            bool same = edFromPem.PublicKey.SequenceEqual(signer.PublicKey) && edFromJwk.PublicKey.SequenceEqual(signer.PublicKey)
                && xFromPem.PublicKey.SequenceEqual(agreement.PublicKey) && xFromJwk.PublicKey.SequenceEqual(agreement.PublicKey);
            Console.WriteLine($"formats {same}");
        }

        // No collection before the live dump: a managed copy made on the way and already dropped is still in the
        // heap then, so the dump finds it; WaitForDump's collection could reclaim it first.
        Console.WriteLine("READY");
        Console.Out.Flush();
        _ = Console.ReadLine();
        signer.Dispose();
        agreement.Dispose();
        foreach (SecureBuffer export in exports)
        {
            export.Dispose();
        }

        WaitForDump("DISPOSED");
        GC.KeepAlive(controlPattern);
        GC.KeepAlive(controlJwkText);
        GC.KeepAlive(controlPemText);
        GC.KeepAlive(controlUtf8);
        return 0;
    }

    private static T FromPattern<T>(int seed, Func<SecureBuffer, T> create)
    {
        using var buffer = new SecureBuffer(32);
        Pattern.Fill(buffer.Span, seed);
        return create(buffer);
    }

    private static bool SignAndVerify(SecureEd25519 signer)
    {
        byte[] signature = new byte[SecureEd25519.SignatureSize];
        bool all = true;
        foreach (int size in (int[])[0, 1, 100, 4096, 70 * 1024])
        {
            byte[] message = RandomNumberGenerator.GetBytes(size);
            signer.Sign(message, signature);
            all &= SecureEd25519.Verify(signer.PublicKey, message, signature);
        }

        return all;
    }

    private static (byte[] Pattern, byte[] Scalar, byte[] Shared) MakeControls(int seed, ReadOnlySpan<byte> peerPublicKey)
    {
        byte[] pattern = new byte[32];
        Pattern.Fill(pattern, seed);
        byte[] scalar = SHA512.HashData(pattern)[..32];
        scalar[0] &= 248;
        scalar[31] &= 127;
        scalar[31] |= 64;
        using var control = SecureX25519.FromPrivateKey(pattern);
        using SecureBuffer shared = control.DeriveSharedSecret(peerPublicKey);
        return (pattern, scalar, shared.Span.ToArray());
    }

    /// <summary>Lets finalizers run, prints <paramref name="line"/> and waits for the test to dump and answer.</summary>
    private static void WaitForDump(string line)
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        Console.WriteLine(line);
        Console.Out.Flush();
        _ = Console.ReadLine();
    }
}
