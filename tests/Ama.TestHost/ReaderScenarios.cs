using Ama.Cryptography;

namespace Ama.TestHost;

/// <summary>Child-process scenarios for the SecureBuffer readers: a dump of a process holding keys it read from files.</summary>
internal static class ReaderScenarios
{
    internal static async Task<int> RunAsync(string scenario, string[] args)
    {
        switch (scenario)
        {
            case "readers-hold":
                return await HoldAsync(args[0]);
            default:
                await Console.Error.WriteLineAsync($"unknown scenario '{scenario}'");
                return 64;
        }
    }

    /// <summary>
    /// Reads raw.key with ReadFile, b64.key and hex.key with ReadFile then FromBase64 / FromHex (the
    /// encoded text disposed at once), and stream.key with ReadFrom over an unbuffered FileStream. As the
    /// negative control it keeps control.key in a byte[] from File.ReadAllBytes. Prints "live", waits for "exit".
    /// </summary>
    private static async Task<int> HoldAsync(string directory)
    {
        var raw = SecureBuffer.ReadFile(Path.Combine(directory, "raw.key"), new SecureFileOptions { TrimTrailingNewline = false });
        SecureBuffer base64 = Decoded(Path.Combine(directory, "b64.key"), static text => SecureBuffer.FromBase64(text));
        SecureBuffer hex = Decoded(Path.Combine(directory, "hex.key"), static text => SecureBuffer.FromHex(text));
        SecureBuffer streamed;
        using (var stream = new FileStream(Path.Combine(directory, "stream.key"), FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 0))
        {
            streamed = SecureBuffer.ReadFrom(stream, 1024);
        }

        byte[] control = File.ReadAllBytes(Path.Combine(directory, "control.key"));
        GC.Collect();
        GC.WaitForPendingFinalizers();
        Console.WriteLine($"live {raw.Length} {base64.Length} {hex.Length} {streamed.Length}");
        while (await Console.In.ReadLineAsync() is string line && line != "exit")
        {
        }

        GC.KeepAlive(control);
        raw.Dispose();
        base64.Dispose();
        hex.Dispose();
        streamed.Dispose();
        return 0;
    }

    private delegate SecureBuffer Decoder(ReadOnlySpan<byte> text);

    private static SecureBuffer Decoded(string path, Decoder decode)
    {
        using SecureBuffer text = SecureBuffer.ReadFile(path);
        return decode(text.Span);
    }
}
