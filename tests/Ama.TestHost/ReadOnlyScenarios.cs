using System.Runtime.InteropServices;
using Ama.Cryptography;
using Ama.Cryptography.Tests.Infrastructure;

namespace Ama.TestHost;

/// <summary>
/// Child-process scenarios for read-only buffers: a write that must fault would kill the test runner.
/// Args: source (locked|secret), then the settings to apply in order (readonly, writable, noaccess).
/// </summary>
internal static class ReadOnlyScenarios
{
    internal static Task<int> RunAsync(string scenario, string[] args) => Task.FromResult(scenario switch
    {
        "readonly-write" => Write(args[0], args[1], args[2..]),
        "readonly-dispose" => Dispose(args[0], args[1..]),
        _ => Unknown(scenario),
    });

    /// <summary>
    /// Fills a guarded buffer, applies the settings, reads it, then writes one byte by the named
    /// means: span (Span indexer), native (libc memset), zero (SecureMemory.Zero of the span),
    /// access (the Span of an Access scope). Prints SURVIVED only if the write went through.
    /// </summary>
    private static unsafe int Write(string source, string means, string[] settings)
    {
        using SecureBuffer buffer = Allocate(source);
        Pattern.Fill(buffer.Span, 7);
        byte expected = buffer.Span[^1];
        Apply(buffer, settings);
        Console.WriteLine($"STATE readonly={buffer.IsReadOnly} noaccess={buffer.IsNoAccess}");
        Console.WriteLine($"READ {Read(buffer, Length - 1) == expected}");
        Console.WriteLine("WRITING");
        Console.Out.Flush();
        switch (means)
        {
            case "span":
                buffer.Span[0] = 0xA5;
                break;
            case "native":
                _ = Memset((byte*)buffer.UnsafeAddress, 0xA5, 1);
                break;
            case "zero":
                SecureMemory.Zero(buffer.Span);
                break;
            default:
                using (SecureBufferAccess access = buffer.Access())
                {
                    access.Span[0] = 0xA5;
                }

                break;
        }

        Console.WriteLine($"SURVIVED {Read(buffer, 0):x2}");
        return 0;
    }

    /// <summary>
    /// Disposes a guarded buffer after the settings, then reads its wiped bytes through the old
    /// address (a one-page mapping is kept for reuse, so it stays mapped) and writes to the next
    /// buffer that reuses the mapping: the kept pages must be writable again.
    /// </summary>
    private static unsafe int Dispose(string source, string[] settings)
    {
        SecureBuffer buffer = Allocate(source);
        Pattern.Fill(buffer.Span, 11);
        Apply(buffer, settings);
        byte* raw = (byte*)buffer.UnsafeAddress;
        Console.WriteLine($"STATE readonly={buffer.IsReadOnly} noaccess={buffer.IsNoAccess}");
        Console.Out.Flush();
        buffer.Dispose();
        Console.WriteLine($"DISPOSED readonly={buffer.IsReadOnly}");
        Console.WriteLine($"ZEROED {!new ReadOnlySpan<byte>(raw, Length).ContainsAnyExcept((byte)0)}");
        Console.Out.Flush();

        using SecureBuffer next = Allocate(source);
        Console.WriteLine($"REUSED {next.UnsafeAddress == (nint)raw}");
        Console.Out.Flush();
        next.Span.Fill(0x33);
        Console.WriteLine("WRITABLE");
        return 0;
    }

    private const int Length = 100;

    private static SecureBuffer Allocate(string source) => new(Length, new SecureBufferOptions
    {
        Guarded = true,
        Source = source == "secret" ? SecureMemorySource.SecretMemory : SecureMemorySource.LockedPages,
    });

    private static void Apply(SecureBuffer buffer, string[] settings)
    {
        foreach (string setting in settings)
        {
            switch (setting)
            {
                case "readonly":
                    buffer.MakeReadOnly();
                    break;
                case "writable":
                    buffer.MakeWritable();
                    break;
                case "noaccess":
                    buffer.MakeNoAccess();
                    break;
                default:
                    throw new ArgumentException($"unknown setting '{setting}'", nameof(settings));
            }
        }
    }

    private static byte Read(SecureBuffer buffer, int index)
    {
        if (!buffer.IsNoAccess)
        {
            return buffer.Span[index];
        }

        using SecureBufferAccess access = buffer.Access();
        return access.Span[index];
    }

    private static int Unknown(string scenario)
    {
        Console.Error.WriteLine($"unknown scenario '{scenario}'");
        return 64;
    }

    [DllImport("libc", EntryPoint = "memset")]
    private static extern unsafe nint Memset(byte* destination, int value, nuint length);
}
