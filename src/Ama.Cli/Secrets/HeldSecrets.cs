using System.Runtime.InteropServices;
using Ama.Cryptography;

namespace Ama.Cli.Secrets;

/// <summary>
/// Every SecureBuffer a command holds is registered here, so that the end of the command and a
/// SIGINT or SIGTERM zero them all before the process exits.
/// </summary>
internal static class HeldSecrets
{
    private static readonly Lock Gate = new();
    private static readonly List<SecureBuffer> Held = [];

    // Taken by the command around each step that acts on secrets and cannot be taken back, and by a
    // signal before it zeroes anything: a commit never reads half-zeroed memory.
    private static readonly Lock StepGate = new();
    private static volatile bool stopping;

    // Held for the life of the process and never disposed (see InstallSignalHandlers).
    private static PosixSignalRegistration[]? signalRegistrations;

    internal static int Count
    {
        get
        {
            lock (Gate)
            {
                return Held.Count;
            }
        }
    }

    /// <summary>Allocates a registered buffer; it stays registered until <see cref="Release"/> or the end of the command.</summary>
    internal static SecureBuffer Allocate(int size)
    {
        var buffer = new SecureBuffer(size);
        return Track(buffer);
    }

    internal static SecureBuffer Track(SecureBuffer buffer)
    {
        lock (Gate)
        {
            Held.Add(buffer);
        }

        return buffer;
    }

    /// <summary>Unregisters and disposes (zeroes) a buffer.</summary>
    internal static void Release(SecureBuffer? buffer)
    {
        if (buffer is null)
        {
            return;
        }

        lock (Gate)
        {
            Held.Remove(buffer);
        }

        buffer.Dispose();
    }

    /// <summary>Disposes every registered buffer; run when the command ends, however it ends.</summary>
    internal static void DisposeAll()
    {
        SecureBuffer[] buffers;
        lock (Gate)
        {
            buffers = [.. Held];
            Held.Clear();
        }

        foreach (SecureBuffer buffer in buffers)
        {
            buffer.Dispose();
        }
    }

    /// <summary>
    /// Zeroes every registered buffer in place without freeing it: the command's thread may still
    /// hold a span over the memory, so unmapping it under that thread would be unsafe.
    /// </summary>
    internal static void ZeroAll()
    {
        lock (Gate)
        {
            foreach (SecureBuffer buffer in Held)
            {
                ZeroQuietly(buffer);
            }
        }
    }

    /// <summary>
    /// Enter around a step that uses held secrets and cannot be taken back (a write to the store, a
    /// file written). A signal waits for the step to finish before it zeroes; once a signal has
    /// zeroed, the command stops here for good, and the signal handler decides the exit code.
    /// </summary>
    internal static Lock.Scope EnterIrreversibleStep()
    {
        Lock.Scope scope = StepGate.EnterScope();
        if (stopping)
        {
            scope.Dispose();
            WaitForSignalExit();
        }

        return scope;
    }

    /// <summary>
    /// The command has ended: from here a signal no longer interrupts it, so the exit code and the
    /// message are the command's own. The gate is never released; the process is about to exit.
    /// </summary>
    internal static void EndCommand()
    {
        StepGate.Enter();
        if (stopping)
        {
            StepGate.Exit();
            WaitForSignalExit();
        }
    }

    [System.Diagnostics.CodeAnalysis.DoesNotReturn]
    private static void WaitForSignalExit()
    {
        // The signal handler is zeroing and will call Environment.Exit; this thread must not touch the zeroed buffers or print.
        Thread.Sleep(Timeout.Infinite);
        throw new System.Diagnostics.UnreachableException();
    }

    /// <summary>
    /// On SIGINT and SIGTERM: zero the held secrets, say so on stderr, and exit with 130 or 143.
    /// The handlers stay installed until the process exits: a signal after the command has ended
    /// then waits at the gate <see cref="EndCommand"/> holds, and the command's exit code stands,
    /// instead of the default action killing the process with 130 after it reported success.
    /// </summary>
    internal static void InstallSignalHandlers()
    {
        lock (Gate)
        {
            signalRegistrations ??=
            [
                PosixSignalRegistration.Create(PosixSignal.SIGINT, context => ZeroAndExit(context, ExitCodes.Interrupted, "interrupted")),
                PosixSignalRegistration.Create(PosixSignal.SIGTERM, context => ZeroAndExit(context, ExitCodes.Terminated, "terminated")),
            ];
        }
    }

    private static void ZeroAndExit(PosixSignalContext context, int exitCode, string what)
    {
        context.Cancel = true;
        stopping = true;
        lock (StepGate)
        {
            int count = Count;
            ZeroAll();
            Encryption.StagedFiles.DeleteAll();
            TerminalEcho.Restore();
            Console.Error.WriteLine();
            Console.Error.WriteLine($"ama: {what}; {count} held secret buffer(s) zeroed.");
            Environment.Exit(exitCode);
        }
    }

    private static void ZeroQuietly(SecureBuffer buffer)
    {
        try
        {
            if (!buffer.IsDisposed && !buffer.IsNoAccess)
            {
                SecureMemory.Zero(buffer.Span);
            }
        }
        catch (ObjectDisposedException)
        {
            // Disposed by the command's own thread in the meantime: Dispose zeroed it.
        }
        catch (SecureMemoryException)
        {
            // The command's thread wrote while we zeroed; the process exits right after, which frees the pages.
        }
    }
}
