using Ama.Cli.Secrets;

namespace Ama.Cli.KeyStore;

/// <summary>
/// Asks before <c>delete</c> destroys key material. A script must say --yes: without a terminal
/// on stdin there is nobody to ask, and deleting unasked is what this guards against.
/// </summary>
internal static class Confirmation
{
    /// <summary>Made before any password is asked for.</summary>
    internal static void CheckPossible(bool yes)
    {
        if (!yes && !Terminal.StdinIsTerminal)
        {
            throw CliException.Usage("Refusing to delete without confirmation: stdin is not a terminal. Add --yes to delete from a script.");
        }
    }

    internal static void Require(string question, bool yes)
    {
        if (yes)
        {
            return;
        }

        if (!ControllingTerminal.TryOpen(out ControllingTerminal? tty))
        {
            throw CliException.Usage("No terminal to ask for confirmation on; add --yes to delete without asking.");
        }

        using (tty)
        {
            tty!.Write($"{question} [y/N] ");
            string answer = tty.ReadAnswer();
            if (answer.Equals("y", StringComparison.OrdinalIgnoreCase) || answer.Equals("yes", StringComparison.OrdinalIgnoreCase))
            {
                return;
            }
        }

        throw new CliException("Not confirmed; nothing was deleted.", ExitCodes.Failure);
    }
}
