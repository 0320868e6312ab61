namespace Ama.Cli;

/// <summary>What the standard streams are connected to, and whether colour is wanted.</summary>
internal static class Terminal
{
    internal static bool StdinIsTerminal => !Console.IsInputRedirected;

    internal static bool StdoutIsTerminal => !Console.IsOutputRedirected;

    internal static bool StderrIsTerminal => !Console.IsErrorRedirected;

    /// <summary>Colour only on a terminal, never with NO_COLOR set (no-color.org) or TERM=dumb.</summary>
    internal static bool UseColor(bool streamIsTerminal) =>
        streamIsTerminal
        && string.IsNullOrEmpty(Environment.GetEnvironmentVariable("NO_COLOR"))
        && !string.Equals(Environment.GetEnvironmentVariable("TERM"), "dumb", StringComparison.Ordinal);

    internal static string Paint(string text, ConsoleColor color, bool useColor)
    {
        if (!useColor)
        {
            return text;
        }

        string code = color switch
        {
            ConsoleColor.Green => "32",
            ConsoleColor.Yellow => "33",
            ConsoleColor.Red => "31",
            ConsoleColor.Cyan => "36",
            _ => "1",
        };
        return $"\u001b[{code}m{text}\u001b[0m";
    }
}
