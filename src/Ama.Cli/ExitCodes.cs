namespace Ama.Cli;

/// <summary>The documented exit codes of <c>ama</c> (docs/cli.md); scripts depend on them, so they never change meaning.</summary>
internal static class ExitCodes
{
    /// <summary>Success; for <c>status</c>, every check passed.</summary>
    internal const int Success = 0;

    /// <summary><c>status</c>: at least one check failed. Other commands: the operation failed (I/O error and the like).</summary>
    internal const int Failure = 1;

    /// <summary><c>status</c>: no check failed, but at least one warned.</summary>
    internal const int Warnings = 2;

    /// <summary>The command line is wrong: unknown option, missing or conflicting arguments, raw output to a terminal, no terminal to prompt on, <c>delete</c> without --yes and without a terminal.</summary>
    internal const int Usage = 64;

    /// <summary>The input is wrong: a bad entry name, empty or oversized key material, a damaged store file.</summary>
    internal const int DataError = 65;

    /// <summary>A file named on the command line (store, key file, password file), or the directory a new file goes in, does not exist.</summary>
    internal const int NotFound = 66;

    /// <summary>A bug in ama or the library; the one-line message names the exception type.</summary>
    internal const int InternalError = 70;

    /// <summary>A file ama would create already exists: the store of <c>create</c>, or the <c>get --output</c> file without --force.</summary>
    internal const int AlreadyExists = 73;

    /// <summary>The password or key does not open the store.</summary>
    internal const int AuthenticationFailed = 77;

    /// <summary>Interrupted by SIGINT (Ctrl-C); held secrets were zeroed first.</summary>
    internal const int Interrupted = 130;

    /// <summary>Stopped by SIGTERM; held secrets were zeroed first.</summary>
    internal const int Terminated = 143;
}
