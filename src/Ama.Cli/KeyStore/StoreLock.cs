using System.Diagnostics;
using System.Globalization;

namespace Ama.Cli.KeyStore;

/// <summary>
/// Waits, visibly and for a bounded time, until no other process holds the store's writers' lock
/// (an exclusive flock on "STORE.lock", docs/keystore-format.md). The library takes the lock itself
/// right after; ama cannot hold it for the library, because a second flock on the same file from
/// this process would conflict with the first.
/// </summary>
internal static class StoreLock
{
    internal const int DefaultTimeoutSeconds = 30;

    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(50);

    internal static void WaitUntilFree(string path, int timeoutSeconds)
    {
        string lockPath = path + ".lock";
        var clock = Stopwatch.StartNew();
        bool announced = false;
        while (IsHeldByAnother(lockPath))
        {
            if (clock.Elapsed.TotalSeconds >= timeoutSeconds)
            {
                throw new CliException(
                    string.Create(CultureInfo.InvariantCulture, $"Gave up after {timeoutSeconds} s: another process still holds the lock on '{path}' (a writer is running, or stuck). Retry, or give --lock-timeout more seconds."),
                    ExitCodes.Failure);
            }

            if (!announced)
            {
                Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"ama: waiting for another process to release the lock on '{path}' (up to {timeoutSeconds} s; see --lock-timeout)..."));
                announced = true;
            }

            Thread.Sleep(PollInterval);
        }
    }

    private static bool IsHeldByAnother(string lockPath)
    {
        try
        {
            // FileShare.None is a non-blocking exclusive flock on Unix: it fails only while another holder has it.
            using var probe = new FileStream(lockPath, FileMode.Open, FileAccess.ReadWrite, FileShare.None, bufferSize: 0);
            return false;
        }
        catch (FileNotFoundException)
        {
            return false;
        }
        catch (UnauthorizedAccessException)
        {
            // Not ours to judge: the library reports the error when it tries.
            return false;
        }
        catch (IOException)
        {
            return true;
        }
    }
}
