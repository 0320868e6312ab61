namespace Ama.Cli.Bench;

/// <summary>A one-line progress display on stderr, redrawn in place; silent when stderr is not a terminal.</summary>
internal sealed class ProgressDisplay(int total) : IDisposable
{
    private readonly bool enabled = Terminal.StderrIsTerminal;
    private int done;

    internal void Step(string what)
    {
        done++;
        if (enabled)
        {
            int width = Width - 1;
            string line = $"[{done}/{total}] measuring {what}";
            Console.Error.Write("\r" + (line.Length > width ? line[..width] : line.PadRight(width)));
        }
    }

    // A pseudo-terminal without a size (script, CI) reports 0 columns.
    private static int Width => Console.WindowWidth is > 20 and var columns ? columns : 80;

    public void Dispose()
    {
        if (enabled)
        {
            Console.Error.Write("\r" + new string(' ', Width - 1) + "\r");
        }
    }
}
