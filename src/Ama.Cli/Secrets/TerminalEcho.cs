using Ama.Cli.Interop;

namespace Ama.Cli.Secrets;

/// <summary>
/// Turns terminal echo off for the whole prompt, as getpass(3) does. Console.ReadKey only turns it
/// off while a read is in progress, so keys typed between two reads (or before the first) would be echoed.
/// </summary>
internal static class TerminalEcho
{
    private const int TermiosBytes = 256; // larger than struct termios on every Linux ABI
    private const int LocalFlagsOffset = 12; // c_lflag follows c_iflag, c_oflag and c_cflag (32 bits each) on Linux
    private const uint Echo = 0x8;
    private const uint EchoNewLine = 0x40;
    private const int TcsaFlush = 2;

    private static readonly Lock Gate = new();
    private static byte[]? saved;
    private static int savedFd;

    internal static bool IsSupported => OperatingSystem.IsLinux();

    /// <summary>Switches echo off (keeping line editing and Ctrl-C) until <see cref="Restore"/>.</summary>
    internal static bool TryDisable(int fd)
    {
        if (!IsSupported)
        {
            return false;
        }

        var original = new byte[TermiosBytes];
        if (Libc.TcGetAttr(fd, original) != 0)
        {
            return false;
        }

        byte[] quiet = (byte[])original.Clone();
        uint flags = BitConverter.ToUInt32(quiet, LocalFlagsOffset);
        flags = (flags & ~Echo) | EchoNewLine;
        BitConverter.TryWriteBytes(quiet.AsSpan(LocalFlagsOffset), flags);
        lock (Gate)
        {
            saved = original;
            savedFd = fd;
        }

        // TCSAFLUSH drops keys typed ahead while echo was still on, as getpass does.
        return Libc.TcSetAttr(fd, TcsaFlush, quiet) == 0;
    }

    /// <summary>Restores the terminal; safe to call from a signal handler and more than once.</summary>
    internal static void Restore()
    {
        byte[]? original;
        int fd;
        lock (Gate)
        {
            original = saved;
            fd = savedFd;
            saved = null;
        }

        if (original is not null)
        {
            _ = Libc.TcSetAttr(fd, TcsaFlush, original);
        }
    }
}
