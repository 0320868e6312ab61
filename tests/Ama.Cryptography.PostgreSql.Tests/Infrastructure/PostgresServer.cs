using System.Runtime.ExceptionServices;
using Ama.Cryptography.Tests.Infrastructure;
using Npgsql;

namespace Ama.Cryptography.PostgreSql.Tests.Infrastructure;

/// <summary>
/// A real PostgreSQL server for the tests, shared by the whole test assembly (an assembly fixture):
/// the server that <c>AMA_POSTGRES</c> names (an Npgsql connection string), or else a private
/// throwaway cluster started on first use, when PostgreSQL's server binaries are installed under
/// /usr/lib/postgresql/*/bin (a test skips without them, and fails under AMA_REQUIRE_TOOLS=1).
/// </summary>
/// <remarks>
/// On a server named by AMA_POSTGRES the tests work only inside schemas they create with a random
/// name (<see cref="CreateSchema"/>) and drop afterwards; they touch no other schema, and the
/// connection's user needs the CREATE privilege on the database. The fault methods
/// (<see cref="Stop"/>, <see cref="Start"/>, <see cref="RestartImmediate"/>) work only on a
/// cluster this class started: fault tests take their own with <see cref="StartPrivate"/>.
/// </remarks>
public sealed class PostgresServer : IDisposable
{
    public const string ConnectionVariable = "AMA_POSTGRES";

    private readonly Lock gate = new();
    private ThrowawayCluster? cluster;
    private string? connectionString;
    private ExceptionDispatchInfo? startFailure;

    /// <summary>The shared server: AMA_POSTGRES, or a throwaway cluster started on first use.</summary>
    public PostgresServer()
    {
    }

    private PostgresServer(ThrowawayCluster cluster)
    {
        this.cluster = cluster;
        connectionString = cluster.ConnectionString;
    }

    /// <summary>An Npgsql connection string with superuser rights on a cluster this class started, or the one in AMA_POSTGRES.</summary>
    public string ConnectionString
    {
        get
        {
            EnsureStarted();
            return connectionString!;
        }
    }

    /// <summary>True when the server is a throwaway cluster of this class (faults may be injected).</summary>
    public bool OwnsServer
    {
        get
        {
            EnsureStarted();
            return cluster is not null;
        }
    }

    /// <summary>The cluster's directory (data in data/, log in server.log, socket in the directory itself); null for AMA_POSTGRES.</summary>
    public string? ClusterDirectory => OwnsServer ? cluster!.Directory : null;

    /// <summary>
    /// A private throwaway cluster, whatever AMA_POSTGRES says, for tests that stop or restart the
    /// server. The caller disposes it, which stops the server and deletes its directory.
    /// </summary>
    public static PostgresServer StartPrivate() => new(ThrowawayCluster.Start());

    public NpgsqlDataSource CreateDataSource() => NpgsqlDataSource.Create(ConnectionString);

    /// <summary>A new schema with a random name holding the key store tables of the package's SQL file; dropped on dispose.</summary>
    public TestSchema CreateSchema() => TestSchema.Create(this);

    /// <summary>Runs plain SQL (the tamper tests' edits) on a new unpooled connection; $1, $2... take <paramref name="parameters"/>. Returns the rows affected.</summary>
    public int Execute(string sql, params object?[] parameters)
    {
        using var connection = OpenConnection();
        using NpgsqlCommand command = Command(connection, sql, parameters);
        return command.ExecuteNonQuery();
    }

    /// <summary>The first column of the first row of a query, or default when it returns no row or NULL.</summary>
    public T? Scalar<T>(string sql, params object?[] parameters)
    {
        using var connection = OpenConnection();
        using NpgsqlCommand command = Command(connection, sql, parameters);
        object? value = command.ExecuteScalar();
        return value is null or DBNull ? default : (T)value;
    }

    /// <summary>pg_ctl restart -m immediate, then waits until the server accepts connections again.</summary>
    public void RestartImmediate() => OwnedCluster("restarts the server").RestartImmediate();

    /// <summary>Stops the server: fast (sessions ended, checkpoint) by default, or immediate (killed).</summary>
    public void Stop(bool immediate = false) => OwnedCluster("stops the server").Stop(immediate);

    /// <summary>Starts a stopped server and waits until it accepts connections.</summary>
    public void Start() => OwnedCluster("starts the server").StartServer();

    public void Dispose()
    {
        lock (gate)
        {
            cluster?.Dispose();
        }
    }

    private NpgsqlConnection OpenConnection()
    {
        // Unpooled: a connection kept from before a restart would fail the next statement.
        var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(ConnectionString) { Pooling = false }.ConnectionString);
        try
        {
            connection.Open();
            return connection;
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    private static NpgsqlCommand Command(NpgsqlConnection connection, string sql, object?[] parameters)
    {
#pragma warning disable CA2100 // The tests' own SQL: tamper edits are plain SQL on purpose.
        var command = new NpgsqlCommand(sql, connection);
#pragma warning restore CA2100
        foreach (object? parameter in parameters)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = parameter ?? DBNull.Value });
        }

        return command;
    }

    private ThrowawayCluster OwnedCluster(string what)
    {
        Tools.RequireThat(
            OwnsServer,
            $"the PostgreSQL server is a cluster the tests started themselves (the test {what}; {ConnectionVariable} names another server)");
        return cluster!;
    }

    private void EnsureStarted()
    {
        lock (gate)
        {
            if (connectionString is not null)
            {
                return;
            }

            // Started here, inside a test, rather than in the constructor: a missing PostgreSQL
            // then skips the tests that need it instead of failing the whole assembly.
            if (Environment.GetEnvironmentVariable(ConnectionVariable) is { Length: > 0 } external)
            {
                connectionString = external;
                return;
            }

            // A cluster that failed to start fails every test that needs it, without a new initdb each time.
            startFailure?.Throw();
            try
            {
                cluster = ThrowawayCluster.Start();
            }
            catch (InvalidOperationException exception)
            {
                startFailure = ExceptionDispatchInfo.Capture(exception);
                throw;
            }

            connectionString = cluster.ConnectionString;
        }
    }
}
