namespace Ama.Cli.Encryption;

/// <summary>The messages of <c>ama encrypt</c> and <c>ama decrypt</c>, in one place. None holds a byte of key or plaintext.</summary>
internal static class EncryptionErrors
{
    internal static CliException ToTerminal(string command) => CliException.Usage(
        $"Refusing to write {(command == "encrypt" ? "ciphertext" : "plaintext")} to a terminal; give --output FILE, redirect stdout to a file or pipe, or give --output - to write to the terminal anyway.");

    internal static CliException FromTerminal() => CliException.Usage(
        "Refusing to read ciphertext from a terminal: stdin is a terminal and no input file was given; give the file to decrypt, or redirect stdin from a file or pipe.");

    internal static CliException StdoutClosed() => CliException.Usage(
        "stdout is closed or not open for writing; give --output FILE, or redirect stdout to a file or pipe.");

    internal static CliException StdinTwice() => CliException.Usage(
        "--password-stdin and input from stdin cannot share stdin; give the input as a file, or the password with --password-file.");

    internal static CliException StdinClosed() => CliException.Usage("stdin is closed; name the input file, or redirect stdin from a file or pipe.");

    internal static CliException StdinIsDirectory() => CliException.Usage("stdin is a directory; redirect stdin from a file or pipe, or name the input file.");

    internal static CliException InputMissing(string path) => CliException.NotFound($"The input file '{path}' does not exist.");

    internal static CliException InputIsDirectory(string path) => CliException.Usage($"The input '{path}' is a directory; name a file, or '-' for stdin.");

    internal static CliException OutputNameTooLong(int maxBytes) => CliException.Usage(
        $"The --output file name is longer than {maxBytes} bytes, the most a file name may have; choose a shorter one.");

    internal static CliException OutputExists(string path) => new($"'{path}' already exists; ama does not overwrite it without --force.", ExitCodes.AlreadyExists);

    /// <summary>Writing the staged output failed, or it could not be given its name (the directory removed meanwhile, say).</summary>
    internal static IOException OutputFailed(string path, string reason, Exception? inner = null) => new($"The output could not be written to '{path}': {reason.TrimEnd('.')}. Nothing was written there.", inner);

    internal static CliException KeyRequired(string command) => CliException.Usage($"Give --key NAME, the key store entry to {command} with. See 'ama {command} --help'.");

    /// <summary>The library's reason names versions and lengths, never key or message bytes.</summary>
    internal static CliException Damaged(string input, string reason, bool toStdout) => CliException.BadInput(
        $"The input {input} does not verify (damaged, tampered with, or not written by 'ama encrypt' with this key): {reason.TrimEnd('.')}. "
        + (toStdout ? "Discard what was written to stdout." : "No output file was written."));

    internal static CliException KeyUnusable(string keyName, string reason) => CliException.BadInput($"The key '{keyName}' cannot encrypt or decrypt: {reason}");

    internal static CliException AlgorithmUnavailable(string input, string reason) => new($"The input {input} needs an algorithm this host cannot run: {reason}", ExitCodes.Failure);
}
