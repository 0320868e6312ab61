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
    /// Multiplexing data sources run no synchronous command and cannot wait for notifications, which
    /// the storage needs for its synchronous API and its refreshes: refused up front, by name.
    /// </summary>
    internal static void ThrowIfUnsupported(NpgsqlDataSource dataSource, string paramName)
    {
        if (new NpgsqlConnectionStringBuilder(dataSource.ConnectionString).Multiplexing)
        {
            throw PostgreSqlErrors.MultiplexingUnsupported(paramName);
        }
    }
}
