using Ama.Cryptography.KeyManagement;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Ama.Cryptography.Hosting.Internal;

/// <summary>
/// Calls <see cref="SecureKeyStorage.Refresh"/> shortly after the key store file changes, so that
/// writes by other processes show up without a restart. Writers replace the file by a rename, and
/// one commit raises several events: they are gathered into one refresh by a short delay.
/// A failed refresh is logged (its message names the file, never a secret) and the storage keeps
/// the entries it had.
/// </summary>
internal sealed partial class KeyStoreFileWatcher(ILogger<KeyStoreFileWatcher>? logger = null) : IDisposable
{
    /// <summary>How long the watcher waits for a burst of events to end before it refreshes.</summary>
    internal static readonly TimeSpan Debounce = TimeSpan.FromMilliseconds(200);

    private readonly Lock gate = new();
    private readonly ILogger log = logger ?? (ILogger)NullLogger.Instance;
    private readonly List<FileSystemWatcher> watchers = [];
    private Timer? timer;
    private SecureKeyStorage? storage;
    private bool disposed;

    internal void Watch(SecureKeyStorage opened)
    {
        string path = opened.FilePath!;
        lock (gate)
        {
            ObjectDisposedException.ThrowIf(disposed, this);
            storage = opened;
            timer = new Timer(_ => RefreshNow(), null, Timeout.Infinite, Timeout.Infinite);
            foreach (string watched in WatchedPaths(path))
            {
                if (StartWatcher(watched) is { } started)
                {
                    watchers.Add(started);
                }
            }
        }
    }

    /// <summary>
    /// The path, and the file a symbolic link there names: writers replace the link's target by a
    /// rename in the target's directory, so watching the link's directory alone would see nothing;
    /// the link's own directory is still watched, in case the link is pointed elsewhere.
    /// </summary>
    private static IEnumerable<string> WatchedPaths(string path)
    {
        yield return path;
        string target = StorePath.FinalTarget(path);
        if (!string.Equals(target, path, StringComparison.Ordinal))
        {
            yield return target;
        }
    }

    /// <summary>
    /// Starts one watcher, or logs why it cannot and returns null: a host whose user has used up its
    /// inotify instances (common in containers) still serves its keys, and sees other processes'
    /// writes at its next write or <see cref="SecureKeyStorage.Refresh"/>, as the warning says.
    /// </summary>
    private FileSystemWatcher? StartWatcher(string path)
    {
        var watcher = new FileSystemWatcher(Path.GetDirectoryName(path)!, Path.GetFileName(path))
        {
            NotifyFilter = NotifyFilters.FileName | NotifyFilters.LastWrite | NotifyFilters.Size | NotifyFilters.CreationTime,
            IncludeSubdirectories = false,
        };
        watcher.Changed += (_, _) => Schedule();
        watcher.Created += (_, _) => Schedule();
        watcher.Renamed += (_, _) => Schedule();
        watcher.Error += (_, e) => WatchFailed(log, path, e.GetException().GetType().Name);
        try
        {
            watcher.EnableRaisingEvents = true;
            return watcher;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            watcher.Dispose();
            WatchFailed(log, path, e.GetType().Name);
            return null;
        }
    }

    private void Schedule()
    {
        lock (gate)
        {
            if (!disposed)
            {
                timer?.Change(Debounce, Timeout.InfiniteTimeSpan);
            }
        }
    }

    private void RefreshNow()
    {
        SecureKeyStorage? target;
        lock (gate)
        {
            target = disposed ? null : storage;
        }

        if (target is null)
        {
            return;
        }

        try
        {
            long before = target.Generation;
            target.Refresh();
            Refreshed(log, target.FilePath!, before, target.Generation);
        }
        catch (ObjectDisposedException)
        {
            // The host is stopping and disposed the storage first.
        }
#pragma warning disable CA1031 // A background refresh must not crash the process; the next change or access retries.
        catch (Exception e)
#pragma warning restore CA1031
        {
            RefreshFailed(log, target.FilePath!, e.GetType().Name, e.Message);
        }
    }

    public void Dispose()
    {
        lock (gate)
        {
            if (disposed)
            {
                return;
            }

            disposed = true;
            foreach (FileSystemWatcher watcher in watchers)
            {
                watcher.Dispose();
            }

            watchers.Clear();
            timer?.Dispose();
            storage = null;
        }
    }

    [LoggerMessage(EventId = 101, Level = LogLevel.Debug, Message = "Key store {Path} refreshed after a change on disk: generation {Before} -> {After}.")]
    private static partial void Refreshed(ILogger logger, string path, long before, long after);

    [LoggerMessage(EventId = 102, Level = LogLevel.Error, Message = "Refreshing the key store {Path} after a change on disk failed ({ExceptionType}): {Reason} The storage keeps the entries it had read before.")]
    private static partial void RefreshFailed(ILogger logger, string path, string exceptionType, string reason);

    [LoggerMessage(EventId = 103, Level = LogLevel.Warning, Message = "Watching the key store {Path} for changes failed ({ExceptionType}); changes by other processes are seen at their next write or at Refresh().")]
    private static partial void WatchFailed(ILogger logger, string path, string exceptionType);
}
