using Ama.Cryptography.PostgreSql.Tests.Infrastructure;

// One server for the whole assembly; fault tests start private ones (PostgresServer.StartPrivate).
[assembly: AssemblyFixture(typeof(PostgresServer))]
