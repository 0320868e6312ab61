namespace Ama.Cli.KeyStore;

/// <summary>
/// "deriving key..." on a terminal while a password is stretched: Argon2id at 1 GiB takes seconds,
/// and a silent pause looks like a hang. Nothing is printed when stderr is a file or pipe.
/// </summary>
internal sealed class KdfNotice : IDisposable
{
    private const string Text = "ama: deriving key from the password...";

    private readonly bool shown;

    private KdfNotice(bool shown) => this.shown = shown;

    internal static KdfNotice Show(bool derives)
    {
        bool show = derives && Terminal.StderrIsTerminal;
        if (show)
        {
            Console.Error.Write(Text);
        }

        return new KdfNotice(show);
    }

    /// <summary>Erases the line: it describes a wait that is over.</summary>
    public void Dispose()
    {
        if (shown)
        {
            Console.Error.Write("\r\u001b[K");
        }
    }
}
