using System.Security.Cryptography;

namespace Ama.Cryptography.Tests.Primitives;

/// <summary>
/// One SecureHmac shared by several threads (the DI-singleton mistake): every call either gives the right
/// answer or throws CryptographicException for concurrent use; none corrupts memory or answers wrongly.
/// Before the guard, two threads killed the process (a wild write inside SHA256_Update).
/// </summary>
public sealed class MacConcurrencyTests
{
    private const int Threads = 4;
    private const int CallsPerThread = 20_000;

    [Theory]
    [InlineData("SHA256")]
    [InlineData("SHA512")]
    public void Shared_instance_answers_right_or_throws_for_concurrent_use(string hash)
    {
        var algorithm = new HashAlgorithmName(hash);
        byte[] key = RandomNumberGenerator.GetBytes(32);
        using var hmac = new SecureHmac(algorithm, key);
        byte[][] messages = [.. Enumerable.Range(0, Threads).Select(i => RandomNumberGenerator.GetBytes(100 + (i * 37)))];
        byte[][] tags = [.. messages.Select(m => Reference(algorithm, key, m))];
        int wrong = 0, refused = 0, right = 0;
        using var start = new Barrier(Threads);

        Parallel.For(0, Threads, new ParallelOptions { MaxDegreeOfParallelism = Threads }, thread =>
        {
            start.SignalAndWait();
            byte[] output = new byte[hmac.HashSizeInBytes];
            for (int i = 0; i < CallsPerThread; i++)
            {
                try
                {
                    bool ok = (i % 3) switch
                    {
                        0 => hmac.ComputeHash(messages[thread], output) > 0 && output.AsSpan().SequenceEqual(tags[thread]),
                        1 => hmac.Verify(messages[thread], tags[thread]) && !hmac.Verify(messages[thread], tags[(thread + 1) % Threads]),
                        _ => AppendAndFinish(hmac, messages[thread], output),
                    };
                    Interlocked.Increment(ref ok ? ref right : ref wrong);
                }
                catch (CryptographicException e) when (e.Message.Contains("Concurrent", StringComparison.Ordinal))
                {
                    Interlocked.Increment(ref refused);
                }
            }
        });

        Assert.Equal(0, wrong);
        Assert.True(right > 0, "no call succeeded");
        Assert.True(refused > 0, "no call ever overlapped another, so the test showed nothing; the machine serialised every thread");

        // The instance is still sound afterwards, its stream included.
        byte[] after = new byte[hmac.HashSizeInBytes];
        hmac.GetHashAndReset(after);
        hmac.ComputeHash(messages[0], after);
        Assert.Equal(tags[0], after);
    }

    /// <summary>
    /// Threads that take turns appending share one message, so the value is not checked here (an IncrementalHash
    /// shared the same way does the same); what counts is that the calls neither corrupt memory nor the instance.
    /// </summary>
    private static bool AppendAndFinish(SecureHmac hmac, byte[] message, byte[] output)
    {
        hmac.AppendData(message);
        return hmac.GetHashAndReset(output) == output.Length;
    }

    private static byte[] Reference(HashAlgorithmName algorithm, byte[] key, byte[] message) =>
        algorithm == HashAlgorithmName.SHA256 ? HMACSHA256.HashData(key, message) : HMACSHA512.HashData(key, message);
}
