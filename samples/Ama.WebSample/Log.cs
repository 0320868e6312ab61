namespace Ama.WebSample;

/// <summary>The sample's own log messages.</summary>
internal static partial class Log
{
    /// <summary>The exception's type and message, without its stack trace: the message names what to fix.</summary>
    internal static void ConfigurationError(ILogger logger, Exception exception, int exitCode)
    {
        string type = exception.GetType().Name;
        ConfigurationError(logger, type, exception.Message, exitCode);
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Critical, Message = "The app did not start: {ExceptionType}: {Reason} Fix the configuration and start again (exit code {ExitCode}).")]
    private static partial void ConfigurationError(ILogger logger, string exceptionType, string reason, int exitCode);

    [LoggerMessage(EventId = 2, Level = LogLevel.Critical, Message = "The app did not start (exit code {ExitCode}).")]
    internal static partial void StartFailed(ILogger logger, Exception exception, int exitCode);
}
