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
            int width = Math.Max(10, Console.IsErrorRedirected ? 80 : Console.WindowWidth) - 1;
            string line = $"[{done}/{total}] measuring {what}";
            Console.Error.Write("\r" + (line.Length > width ? line[..width] : line.PadRight(width)));
        }
    }

    public void Dispose()
    {
        if (enabled)
        {
            Console.Error.Write("\r" + new string(' ', Math.Max(10, Console.WindowWidth) - 1) + "\r");
        }
    }
}
