using System.Text;

namespace Ama.Cli.Secrets;

/// <summary>
/// The process's controlling terminal, /dev/tty. Prompts go there rather than to stdin, so key
/// material can be piped in while the password is typed, as ssh and gpg do.
/// </summary>
internal sealed class ControllingTerminal : IDisposable
{
    private readonly FileStream tty;

    private ControllingTerminal(FileStream tty) => this.tty = tty;

    internal int Descriptor => (int)tty.SafeFileHandle.DangerousGetHandle();

    internal Stream Stream => tty;

    /// <summary>Opens /dev/tty; false when the process has none (cron, CI, a daemon: open fails with ENXIO).</summary>
    internal static bool TryOpen(out ControllingTerminal? terminal)
    {
        terminal = null;
        if (!OperatingSystem.IsLinux() && !OperatingSystem.IsMacOS() && !OperatingSystem.IsFreeBSD())
        {
            return false;
        }

        try
        {
            // Unbuffered: a typed password goes from the kernel straight into the caller's secure buffer.
            terminal = new ControllingTerminal(new FileStream("/dev/tty", FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite, bufferSize: 0));
            return true;
        }
        catch (IOException)
        {
            return false;
        }
        catch (UnauthorizedAccessException)
        {
            return false;
        }
    }

    internal void Write(string text) => tty.Write(Encoding.UTF8.GetBytes(text));

    /// <summary>Reads one line of ordinary (echoed) input, such as a yes/no answer; never a secret.</summary>
    internal string ReadAnswer(int maxBytes = 256)
    {
        var bytes = new List<byte>();
        Span<byte> one = stackalloc byte[1];
        while (bytes.Count < maxBytes && tty.Read(one) == 1 && one[0] != (byte)'\n')
        {
            bytes.Add(one[0]);
        }

        return Encoding.UTF8.GetString([.. bytes]).Trim();
    }

    public void Dispose() => tty.Dispose();
}
