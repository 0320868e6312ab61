namespace Ama.Cli;

/// <summary>A user error: printed as one line on stderr and turned into <see cref="ExitCode"/>, never a stack trace.</summary>
internal sealed class CliException : Exception
{
    public CliException()
        : this("The command failed.", ExitCodes.Failure)
    {
    }

    public CliException(string message)
        : this(message, ExitCodes.Failure)
    {
    }

    public CliException(string message, Exception innerException)
        : base(message, innerException)
    {
        ExitCode = ExitCodes.Failure;
    }

    public CliException(string message, int exitCode)
        : base(message)
    {
        ExitCode = exitCode;
    }

    public int ExitCode { get; }

    internal static CliException Usage(string message) => new(message, ExitCodes.Usage);

    internal static CliException BadInput(string message) => new(message, ExitCodes.DataError);

    internal static CliException NotFound(string message) => new(message, ExitCodes.NotFound);
}
