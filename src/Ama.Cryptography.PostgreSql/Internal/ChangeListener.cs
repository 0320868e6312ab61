using System.Runtime.CompilerServices;
using Ama.Cryptography.KeyManagement;
using Npgsql;

namespace Ama.Cryptography.PostgreSql.Internal;

/// <summary>
/// One subscription to the commits of one store. All storages on one data source share a single
/// LISTENing connection (see <see cref="Hub"/>): a connection per storage would let a few dozen
/// open storages take the whole pool and leave their own writers waiting for a connection.
/// </summary>
internal sealed class ChangeListener : IDisposable
{
    private static readonly ConditionalWeakTable<NpgsqlDataSource, Hub> Hubs = [];

    private static readonly TimeSpan[] RetryDelays = [TimeSpan.FromMilliseconds(250), TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(4)];

    private readonly Hub hub;
    private readonly PostgreSqlBackend store;
    private readonly Action<long?> onCommit;
    private int disposed;

    private ChangeListener(Hub hub, PostgreSqlBackend store, Action<long?> onCommit)
    {
        this.hub = hub;
        this.store = store;
        this.onCommit = onCommit;
    }

    /// <summary>The store's name in announcements.</summary>
    internal string StoreKey => store.AnnouncementKey;

    internal static ChangeListener Start(NpgsqlDataSource dataSource, PostgreSqlBackend store, Action<long?> onCommit)
    {
        var listener = new ChangeListener(Hubs.GetValue(dataSource, source => new Hub(source)), store, onCommit);
        listener.hub.Add(listener);
        _ = listener.CatchUpAsync(dataSource);
        return listener;
    }

    /// <summary>
    /// Commits made after the storage read the store but before the shared connection was listening
    /// were announced to nobody: once it listens, compare the store's generation once.
    /// </summary>
    private async Task CatchUpAsync(NpgsqlDataSource dataSource)
    {
        long? generation;
        try
        {
            await hub.Listening.ConfigureAwait(false);
            generation = await ReadGenerationAsync(dataSource).ConfigureAwait(false);
        }
        catch (Exception e) when (e is NpgsqlException or IOException or TimeoutException or InvalidOperationException or ObjectDisposedException or OperationCanceledException)
        {
            // The hub's reconnection calls every subscriber anyway when the connection was lost.
            return;
        }

        // Only now, with that connection back in the pool: the refresh takes one of its own, and
        // holding both would let a few storages on a small pool starve each other's refreshes.
        if (generation is { } current)
        {
            Notify(current);
        }
    }

    private async Task<long?> ReadGenerationAsync(NpgsqlDataSource dataSource)
    {
        await using var connection = await StoreConnections.OpenAsync(dataSource, CancellationToken.None).ConfigureAwait(false);
        await using var select = store.StoreCommand(connection, store.Sql.SelectStore);
        await using var reader = await select.ExecuteReaderAsync().ConfigureAwait(false);
        return await reader.ReadAsync().ConfigureAwait(false) ? reader.GetInt64(0) : null;
    }

    /// <summary>Stops the callbacks without waiting: a callback that still runs finds the storage disposed, which it ignores.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref disposed, 1) == 0)
        {
            hub.Remove(this);
        }
    }

    /// <summary>
    /// Runs the callback; its failures (a damaged store, a refused refresh) surface on the storage's
    /// next explicit call, not here. A failure to reach the server (no free pool connection, a
    /// restarting server) is retried a few times in the background, since no second announcement
    /// may come for a long time.
    /// </summary>
    internal void Notify(long? generation)
    {
        if (!TryDeliver(generation))
        {
            _ = RetryAsync(generation);
        }
    }

    private async Task RetryAsync(long? generation)
    {
        foreach (TimeSpan delay in RetryDelays)
        {
            await Task.Delay(delay).ConfigureAwait(false);
            if (TryDeliver(generation))
            {
                return;
            }
        }
    }

    /// <returns>False only when the callback failed for want of the server, and a later try may succeed.</returns>
    private bool TryDeliver(long? generation)
    {
        if (Volatile.Read(ref disposed) != 0)
        {
            return true;
        }

        try
        {
            onCommit(generation);
            return true;
        }
        catch (KeyStoreException e) when (e is not KeyStoreDamagedException and not KeyStoreCredentialException && e.InnerException is NpgsqlException)
        {
            return false;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Deliberately swallowed: see the summary. The storage keeps the state it had.
            return true;
        }
    }

    /// <summary>
    /// The one connection that LISTENs for a data source while any storage on it is open. A lost
    /// connection (server restart, network) is opened again, and every subscriber is called once
    /// more then, because commits made meanwhile were not announced to it.
    /// </summary>
    private sealed class Hub(NpgsqlDataSource dataSource)
    {
        private static readonly TimeSpan ReconnectDelay = TimeSpan.FromMilliseconds(250);

        private readonly Lock gate = new();
        private readonly List<ChangeListener> listeners = [];
        private CancellationTokenSource? running;
        private TaskCompletionSource listening = NewListening();

        /// <summary>Completes once LISTEN runs on the current connection; a subscriber added later is heard from then on.</summary>
        internal Task Listening
        {
            get
            {
                lock (gate)
                {
                    return listening.Task;
                }
            }
        }

        private static TaskCompletionSource NewListening() => new(TaskCreationOptions.RunContinuationsAsynchronously);

        internal void Add(ChangeListener listener)
        {
            lock (gate)
            {
                listeners.Add(listener);
                if (running is null)
                {
                    var stop = new CancellationTokenSource();
                    running = stop;
                    var ready = listening;
                    _ = Task.Run(() => RunAsync(stop, ready));
                }
            }
        }

        internal void Remove(ChangeListener listener)
        {
            lock (gate)
            {
                listeners.Remove(listener);
                if (listeners.Count == 0 && running is { } stop)
                {
                    running = null;
                    listening.TrySetCanceled();
                    listening = NewListening();
                    stop.Cancel();
                }
            }
        }

        private ChangeListener[] Snapshot()
        {
            lock (gate)
            {
                return [.. listeners];
            }
        }

        private async Task RunAsync(CancellationTokenSource stop, TaskCompletionSource ready)
        {
            try
            {
                bool reconnected = false;
                while (!stop.IsCancellationRequested)
                {
                    try
                    {
                        await ListenAsync(reconnected, ready, stop.Token).ConfigureAwait(false);
                    }
                    catch (OperationCanceledException) when (stop.IsCancellationRequested)
                    {
                        return;
                    }
                    catch (ObjectDisposedException)
                    {
                        // The caller disposed the data source: nothing can be heard any more.
                        return;
                    }
                    catch (Exception e) when (e is not OutOfMemoryException)
                    {
                        // A lost connection, a restarting server, or anything else the driver throws:
                        // the listening loop must outlive it, or commits would go unheard for good.
                        reconnected = true;
                        await DelayAsync(stop.Token).ConfigureAwait(false);
                    }
                }
            }
            finally
            {
                Stopped(stop);
            }
        }

        /// <summary>
        /// This loop has ended: if it was still the hub's, the next subscriber starts a new one. The
        /// token source is left undisposed (it has no timer): <see cref="Remove"/> may still cancel it.
        /// </summary>
        private void Stopped(CancellationTokenSource stop)
        {
            lock (gate)
            {
                if (ReferenceEquals(running, stop))
                {
                    running = null;
                    listening.TrySetCanceled();
                    listening = NewListening();
                }
            }
        }

        private async Task ListenAsync(bool catchUp, TaskCompletionSource ready, CancellationToken stop)
        {
            await using var connection = await StoreConnections.OpenAsync(dataSource, stop).ConfigureAwait(false);
            var announced = new Dictionary<string, long>(StringComparer.Ordinal);
            connection.Notification += (_, e) => Collect(announced, e.Payload);
            await using (var listen = new NpgsqlCommand(StoreSql.Listen, connection))
            {
                await listen.ExecuteNonQueryAsync(stop).ConfigureAwait(false);
            }

            ready.TrySetResult();

            if (catchUp)
            {
                foreach (var listener in Snapshot())
                {
                    listener.Notify(null);
                }
            }

            while (true)
            {
                // Announcements that arrive while a refresh runs are delivered together by the next
                // wait, and one refresh per store then covers them all.
                await connection.WaitAsync(stop).ConfigureAwait(false);
                if (announced.Count > 0)
                {
                    Deliver(announced);
                    announced.Clear();
                }
            }
        }

        private static void Collect(Dictionary<string, long> announced, string payload)
        {
            int space = payload.LastIndexOf(' ');
            if (space > 0 && StoreSql.TryReadAnnouncement(payload, payload[..space], out long generation))
            {
                string store = payload[..space];
                announced[store] = announced.TryGetValue(store, out long seen) ? Math.Max(seen, generation) : generation;
            }
        }

        private void Deliver(Dictionary<string, long> announced)
        {
            foreach (var listener in Snapshot())
            {
                if (announced.TryGetValue(listener.StoreKey, out long generation))
                {
                    listener.Notify(generation);
                }
            }
        }

        private static async Task DelayAsync(CancellationToken stop)
        {
            try
            {
                await Task.Delay(ReconnectDelay, stop).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // Disposal during the pause.
            }
        }
    }
}
