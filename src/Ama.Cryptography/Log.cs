using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Ama.Cryptography;

/// <summary>The library's warnings. Messages carry sizes, sources and OS errors, never secret bytes.</summary>
internal static partial class Log
{
    private static ILogger logger = NullLogger.Instance;

    internal static void Use(ILoggerFactory factory) => logger = factory.CreateLogger("Ama.Cryptography.SecureMemory");

    internal static void LockDegraded(string source, string fallback, string reason) => LockDegraded(logger, source, fallback, reason);

    internal static void BufferNotDisposed(int length, string source) => BufferNotDisposed(logger, length, source);

    internal static void StatusProbeFailed(string probe, string reason) => StatusProbeFailed(logger, probe, reason);

    [LoggerMessage(EventId = 1, Level = LogLevel.Warning,
        Message = "Secure memory could not be locked from {Source}; continuing with {Fallback} (IsLocked is false) under the BestEffort policy. Later degraded allocations are counted in SecureMemory.GetStatus(). Cause: {Reason}")]
    private static partial void LockDegraded(ILogger logger, string source, string fallback, string reason);

    [LoggerMessage(EventId = 2, Level = LogLevel.Warning,
        Message = "A SecureBuffer of {Length} bytes ({Source}) was not disposed; the finalizer zeroed and freed it. Dispose SecureBuffers with 'using'.")]
    private static partial void BufferNotDisposed(ILogger logger, int length, string source);

    [LoggerMessage(EventId = 3, Level = LogLevel.Debug, Message = "Status probe {Probe} failed: {Reason}")]
    private static partial void StatusProbeFailed(ILogger logger, string probe, string reason);
}
