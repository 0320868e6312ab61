using Ama.Cryptography.KeyManagement;
using Ama.Cryptography.PostgreSql.Internal;
using Npgsql;

namespace Ama.Cryptography.PostgreSql.Tests;

/// <summary>
/// Npgsql has thrown a NullReferenceException from its own read loop when the server was killed mid-command; a
/// writer then died of it instead of getting a KeyStoreException it could retry. Such driver faults are store
/// failures; the same exception types from anywhere else are not.
/// </summary>
public sealed class ConnectionFailureTests
{
    [Fact]
    public void A_driver_fault_from_Npgsql_is_a_connection_failure_and_becomes_a_KeyStoreException()
    {
        var fault = new InvalidOperationException("the connector is broken") { Source = "Npgsql" };
        Assert.True(PostgreSqlErrors.IsConnectionFailure(fault));
        Assert.True(PostgreSqlErrors.IsConnectionFailure(new NpgsqlException("broken")));

        KeyStoreException error = PostgreSqlErrors.ServerFailed("ama", "app", fault);
        Assert.Contains("'app'", error.Message, StringComparison.Ordinal);
        Assert.Contains("InvalidOperationException", error.Message, StringComparison.Ordinal);
        Assert.Same(fault, error.InnerException);
    }

    [Fact]
    public void Control_the_same_exception_from_other_code_is_not_a_connection_failure()
    {
        Assert.False(PostgreSqlErrors.IsConnectionFailure(new InvalidOperationException("elsewhere") { Source = "Ama.Cryptography" }));
        Assert.False(PostgreSqlErrors.IsConnectionFailure(new ArgumentException("bad") { Source = "Npgsql" }));
    }
}
