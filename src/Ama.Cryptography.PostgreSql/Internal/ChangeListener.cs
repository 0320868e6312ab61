using Npgsql;

namespace Ama.Cryptography.PostgreSql.Internal;

/// <summary>
/// Holds one connection that LISTENs on the store channel and calls back when a commit to this
/// store is announced. A lost connection (server restart, network) is opened again, and the
/// callback runs once more then, because commits made meanwhile were not announced to it.
/// </summary>
internal sealed class ChangeListener : IDisposable
{
    private static readonly TimeSpan ReconnectDelay = TimeSpan.FromMilliseconds(250);

    private readonly NpgsqlDataSource dataSource;
    private readonly string storeName;
    private readonly Action<long?> onCommit;
    private readonly CancellationTokenSource stop = new();
    private readonly Task loop;

    private ChangeListener(NpgsqlDataSource dataSource, string storeName, Action<long?> onCommit)
    {
        this.dataSource = dataSource;
        this.storeName = storeName;
        this.onCommit = onCommit;
        loop = Task.Run(RunAsync);
    }

    internal static ChangeListener Start(NpgsqlDataSource dataSource, string storeName, Action<long?> onCommit) => new(dataSource, storeName, onCommit);

    /// <summary>Stops listening without waiting for the loop: it ends at its next await, and a callback that still runs finds the storage disposed, which it ignores.</summary>
    public void Dispose()
    {
        stop.Cancel();
        _ = loop.ContinueWith(_ => stop.Dispose(), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    private async Task RunAsync()
    {
        bool reconnected = false;
        while (!stop.IsCancellationRequested)
        {
            try
            {
                await ListenAsync(reconnected).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is NpgsqlException or IOException or TimeoutException or InvalidOperationException)
            {
                reconnected = true;
                await DelayAsync().ConfigureAwait(false);
            }
        }
    }

    private async Task ListenAsync(bool catchUp)
    {
        await using var connection = await dataSource.OpenConnectionAsync(stop.Token).ConfigureAwait(false);
        long? announced = null;
        connection.Notification += (_, e) =>
        {
            if (StoreSql.TryReadAnnouncement(e.Payload, storeName, out long generation))
            {
                announced = Math.Max(announced ?? 0, generation);
            }
        };
        await using (var listen = new NpgsqlCommand(StoreSql.Listen, connection))
        {
            await listen.ExecuteNonQueryAsync(stop.Token).ConfigureAwait(false);
        }

        if (catchUp)
        {
            Notify(null);
        }

        while (true)
        {
            // Announcements that arrive while a refresh runs are delivered together by the next
            // wait, and one refresh then covers them all.
            await connection.WaitAsync(stop.Token).ConfigureAwait(false);
            if (announced is { } generation)
            {
                announced = null;
                Notify(generation);
            }
        }
    }

    /// <summary>Runs the callback; its failures (a damaged store, a refused refresh) surface on the storage's next explicit call, not here.</summary>
    private void Notify(long? generation)
    {
        try
        {
            onCommit(generation);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Deliberately swallowed: see the summary. The storage keeps the state it had.
        }
    }

    private async Task DelayAsync()
    {
        try
        {
            await Task.Delay(ReconnectDelay, stop.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Disposal during the pause.
        }
    }
}
