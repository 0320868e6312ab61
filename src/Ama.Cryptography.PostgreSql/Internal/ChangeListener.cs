using System.Diagnostics;
using System.Runtime.CompilerServices;
using Ama.Cryptography.KeyManagement;
using Npgsql;

namespace Ama.Cryptography.PostgreSql.Internal;

/// <summary>
/// One subscription to the commits of one store. All storages on one data source share a single
/// LISTENing connection (see <see cref="Hub"/>): a connection per storage would let a few dozen
/// open storages take the whole pool and leave their own writers waiting for a connection.
/// </summary>
/// <remarks>
/// Any role that may log in can send NOTIFY on the channel, with any payload, without a right on
/// the tables. So an announcement is only a hint: it costs a flag here, announcements that arrive
/// while a check is due or running are coalesced into one, a check reads only the store row's
/// generation, and only a generation other than the one this instance holds costs a full read
/// (the storage's Refresh, which authenticates what it reads). Checks of one store start at most
/// every <see cref="CheckInterval"/>, so a flood of forged announcements costs at most one
/// single-row read per interval and no full read, and a real commit among them is still seen
/// within about one interval. Receiving the notifications is the one cost left, and the hub stops
/// listening for a while when they come faster than real commits can (<see cref="Hub"/>).
/// </remarks>
internal sealed class ChangeListener : IDisposable
{
    /// <summary>
    /// The least time between the starts of two checks of one store. An announcement after a quiet
    /// spell is checked at once; under a stream of them (a flood, or a burst of real commits) at most
    /// ten single-row reads a second follow, and a commit waits at most this long to be noticed.
    /// </summary>
    internal static readonly TimeSpan CheckInterval = TimeSpan.FromMilliseconds(100);

    private static readonly ConditionalWeakTable<NpgsqlDataSource, Hub> Hubs = [];

    /// <summary>A check or refresh that could not reach the server is tried again after these pauses, since no other announcement may come for a long time.</summary>
    private static readonly TimeSpan[] RetryDelays = [TimeSpan.FromMilliseconds(250), TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(4)];

    private readonly Hub hub;
    private readonly NpgsqlDataSource dataSource;
    private readonly PostgreSqlBackend store;
    private readonly Action<long> onChange;
    private readonly Lock gate = new();
    private bool pending;
    private bool checking;
    private int disposed;

    private ChangeListener(Hub hub, NpgsqlDataSource dataSource, PostgreSqlBackend store, Action<long> onChange)
    {
        this.hub = hub;
        this.dataSource = dataSource;
        this.store = store;
        this.onChange = onChange;
    }

    /// <summary>The store's name in announcements.</summary>
    internal string StoreKey => store.AnnouncementKey;

    /// <summary>Starts listening; <paramref name="onChange"/> is called with the store's generation whenever a check finds one other than the instance holds.</summary>
    internal static ChangeListener Start(NpgsqlDataSource dataSource, PostgreSqlBackend store, Action<long> onChange)
    {
        var listener = new ChangeListener(Hubs.GetValue(dataSource, source => new Hub(source)), dataSource, store, onChange);
        listener.hub.Add(listener);
        _ = listener.CatchUpAsync();
        return listener;
    }

    /// <summary>
    /// Commits made after the storage read the store but before the shared connection was listening
    /// were announced to nobody: once it listens, check the store's generation once.
    /// </summary>
    private async Task CatchUpAsync()
    {
        try
        {
            await hub.Listening.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // The hub stopped (every storage on the data source was disposed): nothing to catch up for.
            return;
        }

        Announce(null);
    }

    /// <summary>Stops the checks without waiting: one that still runs finds the storage disposed, which it ignores.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref disposed, 1) == 0)
        {
            hub.Remove(this);
        }
    }

    /// <summary>
    /// An announcement of <paramref name="generation"/> for this store, or null when commits may have
    /// gone unannounced (a lost listening connection). Called on the hub's loop, so it only sets a
    /// flag and starts the check loop when none runs; it never waits and never reads.
    /// </summary>
    internal void Announce(long? generation)
    {
        // The generation this instance holds (its own commit, or one it has read): nothing to do.
        if (Volatile.Read(ref disposed) != 0 || (generation is { } announced && !store.IsOtherThanKnown(announced)))
        {
            return;
        }

        lock (gate)
        {
            pending = true;
            if (checking)
            {
                return;
            }

            checking = true;
        }

        _ = Task.Run(CheckLoopAsync);
    }

    /// <summary>
    /// Runs while announcements are pending: takes them all at once, checks, and waits out the rest of
    /// <see cref="CheckInterval"/> (or a retry pause) before the next check.
    /// </summary>
    private async Task CheckLoopAsync()
    {
        int failures = 0;
        while (true)
        {
            lock (gate)
            {
                if (!pending || Volatile.Read(ref disposed) != 0)
                {
                    checking = false;
                    return;
                }

                pending = false;
            }

            long started = Stopwatch.GetTimestamp();
            TimeSpan pause = CheckInterval;
            if (await TryCheckAsync().ConfigureAwait(false))
            {
                failures = 0;
            }
            else if (failures < RetryDelays.Length)
            {
                // For want of the server: try again even if nothing else is announced meanwhile.
                pause = RetryDelays[failures++];
                lock (gate)
                {
                    pending = true;
                }
            }
            else
            {
                // Given up until the next announcement or reconnection.
                failures = 0;
            }

            TimeSpan rest = pause - Stopwatch.GetElapsedTime(started);
            if (rest > TimeSpan.Zero)
            {
                await Task.Delay(rest).ConfigureAwait(false);
            }
        }
    }

    /// <summary>
    /// Reads the store's generation (one row, on a pooled connection given back at once) and, when it
    /// is not the one this instance holds, calls the callback, which reads the store whole.
    /// Failures surface on the storage's next explicit call, not here.
    /// </summary>
    /// <returns>False only when the server could not be reached, and a later try may succeed.</returns>
    private async Task<bool> TryCheckAsync()
    {
        long? generation;
        try
        {
            generation = await ReadGenerationAsync().ConfigureAwait(false);
        }
        catch (ObjectDisposedException)
        {
            // The caller disposed the data source: nothing can be read any more.
            return true;
        }
        catch (Exception e) when (e is NpgsqlException or IOException or TimeoutException or InvalidOperationException)
        {
            return false;
        }

        // No row: the store was dropped. The next explicit call says so; a refresh could read nothing.
        if (generation is not { } current || Volatile.Read(ref disposed) != 0 || !store.IsOtherThanKnown(current))
        {
            return true;
        }

        // Only now, with the checking connection back in the pool: the refresh takes one of its own,
        // and holding both would let a few storages on a small pool starve each other's refreshes.
        try
        {
            onChange(current);
            return true;
        }
        catch (KeyStoreException e) when (e is not KeyStoreDamagedException and not KeyStoreCredentialException && e.InnerException is NpgsqlException)
        {
            return false;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Deliberately swallowed: a damaged store, a changed credential or a disposed storage is
            // reported by the storage's next explicit call. The storage keeps the state it had.
            return true;
        }
    }

    private async Task<long?> ReadGenerationAsync()
    {
        await using var connection = await StoreConnections.OpenAsync(dataSource, CancellationToken.None).ConfigureAwait(false);
        await using var select = store.StoreCommand(connection, store.Sql.SelectGeneration);
        await select.PrepareAsync().ConfigureAwait(false);
        return await select.ExecuteScalarAsync().ConfigureAwait(false) is long generation ? generation : null;
    }

    /// <summary>
    /// The one connection that LISTENs for a data source while any storage on it is open. A lost
    /// connection (server restart, network) is opened again, and every subscriber checks once more
    /// then, because commits made meanwhile were not announced to it. Under a flood it stops
    /// listening for a while and the subscribers poll (<see cref="PollThroughFloodAsync"/>).
    /// </summary>
    private sealed class Hub(NpgsqlDataSource dataSource)
    {
        /// <summary>
        /// Notifications in one <see cref="FloodWindow"/>, for all stores in the database, above which
        /// the connection stops listening for a while. Real commits are far fewer (each waits for a
        /// WAL flush: a few hundred a second on one store); if many stores together pass it, the
        /// storages only poll for <see cref="FloodPause"/>, which notices their commits as soon.
        /// </summary>
        private const int FloodThreshold = 1000;

        private static readonly TimeSpan FloodWindow = TimeSpan.FromSeconds(1);

        /// <summary>How long a flood stops the listening: a flood that goes on costs at most <see cref="FloodThreshold"/> notifications received per pause.</summary>
        private static readonly TimeSpan FloodPause = TimeSpan.FromSeconds(10);

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
            long windowStart = Stopwatch.GetTimestamp();
            int inWindow = 0;
            connection.Notification += (_, e) =>
            {
                // Runs inside the driver's reads of this connection, one at a time.
                if (Stopwatch.GetElapsedTime(windowStart) > FloodWindow)
                {
                    windowStart = Stopwatch.GetTimestamp();
                    inWindow = 0;
                }

                inWindow++;
                Collect(announced, e.Payload);
            };
            await ExecuteAsync(connection, StoreSql.Listen, stop).ConfigureAwait(false);
            ready.TrySetResult();

            if (catchUp)
            {
                CheckAll();
            }

            while (true)
            {
                // Each wait hands over what arrived; the listeners only take note, so this loop keeps
                // reading however fast announcements come, and checks and refreshes run elsewhere.
                await connection.WaitAsync(stop).ConfigureAwait(false);
                if (announced.Count > 0)
                {
                    Deliver(announced);
                    announced.Clear();
                }

                if (inWindow > FloodThreshold)
                {
                    await PollThroughFloodAsync(connection, stop).ConfigureAwait(false);
                    announced.Clear();
                    windowStart = Stopwatch.GetTimestamp();
                    inWindow = 0;
                }
            }
        }

        /// <summary>
        /// More than <see cref="FloodThreshold"/> notifications in a second: receiving them is the
        /// one cost a forger still imposes (tens of microseconds of CPU each in the driver, however
        /// little is done with them), so this connection stops listening for <see cref="FloodPause"/>
        /// and every storage checks its store's generation every <see cref="CheckInterval"/>
        /// instead, which notices a real commit as soon. Then it listens again, and checks once
        /// more for commits made before it did; a flood that goes on trips this again.
        /// </summary>
        private async Task PollThroughFloodAsync(NpgsqlConnection connection, CancellationToken stop)
        {
            // Notifications already on their way are received with the UNLISTEN's reply; the server
            // queues no more for this session after it.
            await ExecuteAsync(connection, StoreSql.Unlisten, stop).ConfigureAwait(false);
            long started = Stopwatch.GetTimestamp();
            while (Stopwatch.GetElapsedTime(started) < FloodPause)
            {
                CheckAll();
                await Task.Delay(CheckInterval, stop).ConfigureAwait(false);
            }

            await ExecuteAsync(connection, StoreSql.Listen, stop).ConfigureAwait(false);
            CheckAll();
        }

        private static async Task ExecuteAsync(NpgsqlConnection connection, string sql, CancellationToken stop)
        {
            await using var command = new NpgsqlCommand(sql, connection);
            await command.ExecuteNonQueryAsync(stop).ConfigureAwait(false);
        }

        /// <summary>Every storage checks its store's generation (commits may have gone unheard).</summary>
        private void CheckAll()
        {
            foreach (var listener in Snapshot())
            {
                listener.Announce(null);
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
                    listener.Announce(generation);
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
