using System.Globalization;
using Ama.Cryptography;
using Ama.Cryptography.Primitives;
using Ama.Cryptography.Tests.Infrastructure;

namespace Ama.TestHost;

/// <summary>Child-process scenarios for SecureEnclave: memory at scale, dumps of many live enclaves, and a key page wiped as on fork.</summary>
internal static class EnclaveScenarios
{
    private const int SecretLength = 32;

    internal static Task<int> RunAsync(string scenario, string[] args) => Task.FromResult(scenario switch
    {
        "enclave-growth" => Growth(int.Parse(args[0], CultureInfo.InvariantCulture)),
        "enclave-wiped" => Wiped(),
        "enclave-hold" => Hold(args[0], int.Parse(args[1], CultureInfo.InvariantCulture), int.Parse(args[2], CultureInfo.InvariantCulture)),
        _ => Unknown(scenario),
    });

    private static int Unknown(string scenario)
    {
        Console.Error.WriteLine($"unknown scenario '{scenario}'");
        return 64;
    }

    /// <summary>
    /// Seals COUNT 32-byte secrets and keeps the enclaves alive, then prints
    /// "rss-before KIB rss-after KIB lck-after KIB": VmRSS after the first enclave and after the last
    /// (both after a full collection), and VmLck after the last (before a sample of them is opened into
    /// SecureBuffers, which are the caller's memory and not the enclaves').
    /// </summary>
    private static int Growth(int count)
    {
        Span<byte> secret = stackalloc byte[SecretLength];
        SecureEnclave.Seal(secret).Dispose();
        GC.Collect(2, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        long before = StatusKiB("VmRSS:");
        var enclaves = new SecureEnclave[count];
        for (int i = 0; i < count; i++)
        {
            BitConverter.TryWriteBytes(secret, i);
            enclaves[i] = SecureEnclave.Seal(secret);
        }

        GC.Collect(2, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        long after = StatusKiB("VmRSS:");
        long locked = StatusKiB("VmLck:");
        for (int i = 0; i < count; i += Math.Max(1, count / 10))
        {
            using SecureBuffer opened = enclaves[i].Open();
            if (BitConverter.ToInt32(opened.Span) != i)
            {
                Console.Error.WriteLine($"enclave {i} opened to the wrong secret");
                return 1;
            }
        }

        Console.WriteLine($"rss-before {before} rss-after {after} lck-after {locked}");
        GC.KeepAlive(enclaves);
        return 0;
    }

    /// <summary>
    /// Seals and opens an enclave, then zeroes the key's page as MADV_WIPEONFORK does in a forked child, and
    /// tries to seal a new enclave and open the old one. Prints "before ok seal OUTCOME open OUTCOME", where
    /// OUTCOME is "sealed"/"opened" or the exception's type name.
    /// </summary>
    private static int Wiped()
    {
        byte[] secret = [1, 2, 3];
        using SecureEnclave old = SecureEnclave.Seal(secret);
        using (SecureBuffer opened = old.Open())
        {
            Console.Write(opened.Span.SequenceEqual(secret) ? "before ok" : "before wrong");
        }

        EnclaveKey.Instance.WipeAsInForkedChild();
        Console.Write(" seal " + Outcome(() => SecureEnclave.Seal(secret).Dispose(), "sealed"));
        Console.WriteLine(" open " + Outcome(() => old.Open().Dispose(), "opened"));
        return 0;
    }

    private static string Outcome(Action action, string success)
    {
        try
        {
            action();
            return success;
        }
#pragma warning disable CA1031 // The scenario reports whichever exception the wiped key gives.
        catch (Exception e)
#pragma warning restore CA1031
        {
            return e.GetType().Name;
        }
    }

    /// <summary>
    /// Holds COUNT live 32-byte secrets, patterns FIRST, FIRST + 1, ...: sealed in enclaves (MODE "enclave",
    /// each written into a SecureBuffer, sealed from it, the buffer disposed; every tenth enclave is opened
    /// once) or in plain byte arrays (MODE "bytes", the control). Prints "ready" and waits on stdin.
    /// </summary>
    private static int Hold(string mode, int first, int count)
    {
        object[] held = new object[count];
        for (int i = 0; i < count; i++)
        {
            if (mode == "bytes")
            {
                byte[] secret = new byte[SecretLength];
                Pattern.Fill(secret, first + i);
                held[i] = secret;
                continue;
            }

            using (var buffer = new SecureBuffer(SecretLength))
            {
                Pattern.Fill(buffer.Span, first + i);
                held[i] = SecureEnclave.Seal(buffer);
            }

            if (i % 10 == 0)
            {
                ((SecureEnclave)held[i]).Open().Dispose();
            }
        }

        Console.WriteLine("ready");
        _ = Console.ReadLine();
        GC.KeepAlive(held);
        return 0;
    }

    private static long StatusKiB(string field)
    {
        foreach (string line in File.ReadLines("/proc/self/status"))
        {
            if (line.StartsWith(field, StringComparison.Ordinal))
            {
                return long.Parse(line.AsSpan(field.Length).Trim().TrimEnd("kB").Trim(), CultureInfo.InvariantCulture);
            }
        }

        throw new InvalidOperationException($"/proc/self/status has no {field} line");
    }
}
