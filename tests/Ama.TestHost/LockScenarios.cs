using System.Globalization;
using System.Security.Cryptography;
using Ama.Cryptography;
using Microsoft.Extensions.Logging;

namespace Ama.TestHost;

/// <summary>Child-process scenarios for the SecureMemory.Lock, GetStatus and logging tests, run under prlimit/setpriv.</summary>
internal static class LockScenarios
{
    internal static Task<int> RunAsync(string scenario, string[] args) => Task.FromResult(scenario switch
    {
        "lock-array" => LockArray(args),
        "lock-status" => PrintStatus(),
        "lock-logging" => Logging(),
        _ => Unknown(scenario),
    });

    /// <summary>Locks an array of args[0] bytes; prints "locked" or the exception's errno and message.</summary>
    private static int LockArray(string[] args)
    {
        byte[] array = new byte[int.Parse(args[0], CultureInfo.InvariantCulture)];
        try
        {
            SecureMemory.Lock(array);
        }
        catch (SecureMemoryException e)
        {
            Console.WriteLine($"errno: {e.NativeErrorCode}");
            Console.WriteLine($"message: {e.Message}");

            // A failed Lock must leave nothing behind: the array is not registered as locked.
            Console.WriteLine($"registered-after-failure: {IsRegistered(array)}");
            return 0;
        }

        SecureMemory.Unlock(array);
        Console.WriteLine("locked");
        return 0;
    }

    private static int PrintStatus()
    {
        SecureMemoryStatus status = SecureMemory.GetStatus();
        Console.WriteLine($"backend: {status.Backend}");
        Console.WriteLine($"locking-works: {status.LockingWorks}");
        Console.WriteLine($"locking-problem: {status.LockingProblem}");
        Console.WriteLine($"memlock-soft: {Show(status.MemoryLockLimitSoft)}");
        Console.WriteLine($"memlock-hard: {Show(status.MemoryLockLimitHard)}");
        Console.WriteLine($"ipc-lock: {status.HasIpcLockCapability}");
        Console.WriteLine($"core-dumps: {status.CoreDumpsEnabled}");
        Console.WriteLine($"core-limit: {Show(status.CoreDumpLimit)}");
        Console.WriteLine("end");
        return 0;
    }

    /// <summary>
    /// Provokes every warning the library logs, with a known secret in a buffer, and prints what
    /// the application's logger factory received.
    /// </summary>
    private static int Logging()
    {
        var sink = new CapturingProvider();
        using ILoggerFactory factory = LoggerFactory.Create(builder => builder.SetMinimumLevel(LogLevel.Trace).AddProvider(sink));
        SecureMemory.UseLoggerFactory(factory);

        byte[] secret = RandomNumberGenerator.GetBytes(32);
        Console.WriteLine($"secret: {Convert.ToHexString(secret)}");
        using (var kept = new SecureBuffer(secret.Length))
        {
            secret.CopyTo(kept.Span);
        }

        LeakUndisposedBuffer(secret);
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        _ = SecureMemory.GetStatus();

        foreach (string line in sink.Lines)
        {
            Console.WriteLine($"log: {line}");
        }

        Console.WriteLine("end");
        return 0;
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static void LeakUndisposedBuffer(byte[] secret)
    {
        var leaked = new SecureBuffer(secret.Length);
        secret.CopyTo(leaked.Span);
    }

    private static bool IsRegistered(byte[] array)
    {
        try
        {
            SecureMemory.Unlock(array);
            return true;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    private static string Show(ulong? value) => value?.ToString(CultureInfo.InvariantCulture) ?? "unlimited";

    private static int Unknown(string scenario)
    {
        Console.Error.WriteLine($"unknown scenario '{scenario}'");
        return 64;
    }

    /// <summary>Keeps every message, with its event id and level, in memory.</summary>
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

        public ILogger CreateLogger(string categoryName) => new Capturing(this, categoryName);

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

        private sealed class Capturing(CapturingProvider owner, string category) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
                owner.Add($"{eventId.Id}|{logLevel}|{category}|{formatter(state, exception)}|{exception?.Message}");
        }
    }
}
