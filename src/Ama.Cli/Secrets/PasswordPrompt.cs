namespace Ama.Cli.Secrets;

/// <summary>Asks for a password on the terminal without echoing it; the characters go straight into secure memory.</summary>
internal static class PasswordPrompt
{
    private const int MaxChars = 1024;

    internal static SecretChars Ask(string prompt)
    {
        if (TerminalEcho.IsSupported && ControllingTerminal.TryOpen(out ControllingTerminal? tty))
        {
            using (tty)
            {
                return AskWithoutEcho(tty!, prompt);
            }
        }

        if (!Terminal.StdinIsTerminal)
        {
            throw CliException.Usage("No terminal to ask for the password on; use --password-stdin, --password-file or --key-file.");
        }

        return AskWithReadKey(prompt);
    }

    /// <summary>
    /// Linux: echo off for the whole prompt, and the line read by the kernel's line editor straight
    /// into secure memory. The terminal is used through its own descriptor, /dev/tty: stdin may carry
    /// piped key material, and the runtime's console code re-applies its saved terminal settings
    /// (echo on) around its own reads of stdin, which would undo ours.
    /// </summary>
    private static SecretChars AskWithoutEcho(ControllingTerminal tty, string prompt)
    {
        if (!TerminalEcho.TryDisable(tty.Descriptor))
        {
            return Terminal.StdinIsTerminal
                ? AskWithReadKey(prompt)
                : throw CliException.Usage("The terminal's echo cannot be switched off; use --password-stdin, --password-file or --key-file.");
        }

        bool sawLineEnd = false;
        try
        {
            // Allocated before the prompt appears: whatever the user types, and a Ctrl-C after it,
            // finds the buffer registered, so the signal handler zeroes it.
            Ama.Cryptography.SecureBuffer buffer = HeldSecrets.Allocate(SecretReader.MaxPasswordBytes + 1);
            tty.Write(prompt);
            (int length, sawLineEnd) = ReadLine(tty.Stream, buffer);
            return SecretReader.PasswordFrom(buffer, length, "the terminal");
        }
        finally
        {
            TerminalEcho.Restore();

            // With ECHONL the terminal echoes the Enter itself; only an end of input (Ctrl-D) leaves the cursor on the prompt line.
            if (!sawLineEnd)
            {
                tty.Write(Environment.NewLine);
            }
        }
    }

    private static (int Length, bool SawLineEnd) ReadLine(Stream input, Ama.Cryptography.SecureBuffer buffer)
    {
        int length = 0;
        while (length <= SecretReader.MaxPasswordBytes)
        {
            int read = input.Read(buffer.Span.Slice(length, 1));
            if (read == 0 || buffer.Span[length] == (byte)'\n')
            {
                return (length, read != 0);
            }

            length++;
        }

        HeldSecrets.Release(buffer);
        throw CliException.BadInput($"The password is longer than {SecretReader.MaxPasswordBytes} bytes.");
    }

    private static SecretChars AskWithReadKey(string prompt)
    {
        // Registered before the prompt appears, for the same reason as in AskWithoutEcho.
        var password = new SecretChars(MaxChars);
        try
        {
            Console.Error.Write(prompt);
            ReadInto(password);
        }
        catch
        {
            password.Dispose();
            throw;
        }

        Console.Error.WriteLine();
        if (password.Length == 0)
        {
            password.Dispose();
            throw CliException.BadInput("The password is empty.");
        }

        return password;
    }

    /// <summary>Asks twice for a new password and insists the two agree.</summary>
    internal static SecretChars AskNew(string what)
    {
        SecretChars first = Ask($"New {what}: ");
        using SecretChars second = Ask($"Repeat the new {what}: ");
        if (!first.SequenceEqual(second))
        {
            first.Dispose();
            throw CliException.BadInput("The two passwords differ.");
        }

        return first;
    }

    private static void ReadInto(SecretChars password)
    {
        while (true)
        {
            // intercept: true keeps the key off the screen; the runtime turns terminal echo off while it reads.
            ConsoleKeyInfo key = Console.ReadKey(intercept: true);
            switch (key.Key)
            {
                case ConsoleKey.Enter:
                    return;
                case ConsoleKey.Backspace:
                    password.RemoveLast();
                    break;
                default:
                    if (key.KeyChar != '\0' && !password.TryAppend(key.KeyChar))
                    {
                        throw CliException.BadInput($"The password is longer than {MaxChars} characters.");
                    }

                    break;
            }
        }
    }
}
