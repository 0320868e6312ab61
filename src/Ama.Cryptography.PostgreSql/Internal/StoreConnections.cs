using System.Transactions;
using Npgsql;

namespace Ama.Cryptography.PostgreSql.Internal;

/// <summary>
/// Every connection the package opens. Npgsql enlists a connection opened inside an ambient
/// <see cref="TransactionScope"/> (Enlist=true by default), and the application's unit of work is
/// not the store's: an enlisted connection refuses the store's own BEGIN, and its commit would
/// depend on the application's. So connections are opened with the ambient transaction suppressed.
/// </summary>
internal static class StoreConnections
{
    internal static NpgsqlConnection Open(NpgsqlDataSource dataSource)
    {
        using var outsideAmbientTransaction = new TransactionScope(TransactionScopeOption.Suppress, TransactionScopeAsyncFlowOption.Enabled);
        return dataSource.OpenConnection();
    }

    internal static async Task<NpgsqlConnection> OpenAsync(NpgsqlDataSource dataSource, CancellationToken cancellationToken)
    {
        using var outsideAmbientTransaction = new TransactionScope(TransactionScopeOption.Suppress, TransactionScopeAsyncFlowOption.Enabled);
        return await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// The fewest connections a pool must allow: while any storage on a data source is open, one of
    /// them LISTENs (<see cref="ChangeListener"/>), and a read, a write or a check needs another.
    /// With one, every write waited for the pool's timeout and failed.
    /// </summary>
    internal const int MinimumPoolSize = 2;

    /// <summary>
    /// Refuses, up front and by name, what the storage cannot work with. Multiplexing data sources
    /// run no synchronous command and cannot wait for notifications, which the storage needs for its
    /// synchronous API and its refreshes. A pool of fewer than <see cref="MinimumPoolSize"/>
    /// connections can never write once the listener holds one. Without pooling every open is a
    /// new connection, so there is no pool to exhaust.
    /// </summary>
    internal static void ThrowIfUnsupported(NpgsqlDataSource dataSource, string paramName)
    {
        var settings = new NpgsqlConnectionStringBuilder(dataSource.ConnectionString);
        if (settings.Multiplexing)
        {
            throw PostgreSqlErrors.MultiplexingUnsupported(paramName);
        }

        if (settings.Pooling && settings.MaxPoolSize < MinimumPoolSize)
        {
            throw PostgreSqlErrors.PoolTooSmall(paramName, settings.MaxPoolSize, MinimumPoolSize);
        }
    }
}
