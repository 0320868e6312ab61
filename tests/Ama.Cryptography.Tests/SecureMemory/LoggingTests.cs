using System.Security.Cryptography;
using System.Text;
using Ama.Cryptography.Tests.Infrastructure;
using Microsoft.Extensions.Logging;

namespace Ama.Cryptography.Tests.SecureMemoryFunctions;

/// <summary>The library's warnings reach the application's ILoggerFactory and never carry secret bytes.</summary>
[Collection(nameof(RunsAlone))]
public class LoggingTests
{
    [Fact]
    public void An_undisposed_buffer_is_reported_through_the_factory_without_its_bytes()
    {
        var sink = new CapturingProvider();
        using ILoggerFactory factory = LoggerFactory.Create(b => b.SetMinimumLevel(LogLevel.Trace).AddProvider(sink));
        SecureMemory.UseLoggerFactory(factory);
        byte[] secret = RandomNumberGenerator.GetBytes(48);

        LeakUndisposedBuffer(secret);
        for (int i = 0; i < 3 && !sink.Lines.Any(l => l.StartsWith("2|", StringComparison.Ordinal)); i++)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
        }

        string warning = Assert.Single(sink.Lines, l => l.StartsWith("2|Warning|", StringComparison.Ordinal) && l.Contains("48 bytes", StringComparison.Ordinal));
        SecretForms.AssertAbsent(secret, sink.Lines);
        Assert.Contains("not disposed", warning, StringComparison.Ordinal);
    }

    [Fact]
    public void A_degraded_lock_is_reported_through_the_factory_without_secret_bytes()
    {
        Tools.Require("setpriv");
        Tools.Require("prlimit");

        (int exitCode, string stdout, string stderr) = TestHost.Run(TestHost.StartInfo(
            "lock-logging", [], ["setpriv", "--inh-caps=-ipc_lock", "--bounding-set=-ipc_lock", "prlimit", "--memlock=0"]));

        Assert.True(exitCode == 0, $"exit {exitCode}: {stderr}");
        string[] lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        byte[] secret = Convert.FromHexString(lines.Single(l => l.StartsWith("secret: ", StringComparison.Ordinal))[8..]);
        string[] logs = [.. lines.Where(l => l.StartsWith("log: ", StringComparison.Ordinal)).Select(l => l[5..])];

        Assert.Contains(logs, l => l.StartsWith("1|Warning|", StringComparison.Ordinal) && l.Contains("RLIMIT_MEMLOCK", StringComparison.Ordinal));
        Assert.Contains(logs, l => l.StartsWith("2|Warning|", StringComparison.Ordinal));
        SecretForms.AssertAbsent(secret, logs);
    }

    [Fact]
    public void Control_the_secret_detector_finds_a_secret_in_any_of_its_usual_printed_forms()
    {
        byte[] secret = RandomNumberGenerator.GetBytes(32);
        foreach (string form in SecretForms.Of(secret))
        {
            Assert.ThrowsAny<Exception>(() => SecretForms.AssertAbsent(secret, [$"cause: {form}."]));
        }
    }

    [Fact]
    public void UseLoggerFactory_rejects_null()
    {
        Assert.Throws<ArgumentNullException>(() => SecureMemory.UseLoggerFactory(null!));
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static void LeakUndisposedBuffer(byte[] secret)
    {
        var leaked = new SecureBuffer(secret.Length);
        secret.CopyTo(leaked.Span);
    }

    /// <summary>The ways a careless message could print a secret: hex, Base64, decimal list, raw characters.</summary>
    private static class SecretForms
    {
        public static IEnumerable<string> Of(byte[] secret)
        {
            yield return Convert.ToHexString(secret);
            yield return Convert.ToHexString(secret).ToLowerInvariant();
            yield return BitConverter.ToString(secret);
            yield return Convert.ToBase64String(secret);
            yield return string.Join(", ", secret);
            yield return Encoding.Latin1.GetString(secret);
        }

        public static void AssertAbsent(byte[] secret, IEnumerable<string> messages)
        {
            foreach (string message in messages)
            {
                foreach (string form in Of(secret))
                {
                    // Any 8 consecutive bytes' worth of the form is enough to call it a leak.
                    int window = Math.Min(form.Length, form.Length / 4);
                    for (int i = 0; i + window <= form.Length; i++)
                    {
                        Assert.DoesNotContain(form.Substring(i, window), message, StringComparison.Ordinal);
                    }
                }
            }
        }
    }

    private sealed class CapturingProvider : ILoggerProvider
    {
        private readonly List<string> lines = [];

        public IReadOnlyList<string> Lines
        {
            get
            {
                lock (lines)
                {
                    return [.. lines];
                }
            }
        }

        public ILogger CreateLogger(string categoryName) => new Capturing(this);

        public void Dispose()
        {
        }

        private void Add(string line)
        {
            lock (lines)
            {
                lines.Add(line);
            }
        }

        private sealed class Capturing(CapturingProvider owner) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
                owner.Add($"{eventId.Id}|{logLevel}|{formatter(state, exception)}|{exception?.Message}");
        }
    }
}
