using System.Globalization;
using System.Text.Json;
using Ama.Cryptography.KeyManagement;
using Npgsql;

namespace Ama.Cli.KeyStore;

/// <summary>
/// A named store in PostgreSQL. No lock file and no path: writers wait on the store's row lock
/// inside the library. The connection string is kept only inside the data source; what is shown
/// of the server is its host, port, database and user, never a password.
/// </summary>
internal sealed class PostgresStoreTarget : StoreTarget
{
    private readonly NpgsqlDataSource dataSource;
    private readonly NpgsqlConnectionStringBuilder settings;
    private readonly PostgreSqlKeyStoreOptions options;

    internal PostgresStoreTarget(NpgsqlConnectionStringBuilder settings, string storeName, PostgreSqlKeyStoreOptions options)
    {
        this.settings = settings;
        this.options = options;
        StoreName = storeName;
        dataSource = new NpgsqlDataSourceBuilder(settings.ConnectionString).Build();
    }

    internal string StoreName { get; }

    internal override string Name => options.Schema == PostgreSqlKeyStorage.DefaultSchema
        ? $"PostgreSQL store '{StoreName}'"
        : $"PostgreSQL store '{StoreName}' (schema {options.Schema})";

    internal override string Label => Name;

    internal override string Subject => $"The {Name}";

    /// <summary>Gets the server without its credentials: "host H, port P, database D, user U".</summary>
    internal string Server => string.Create(
        CultureInfo.InvariantCulture,
        $"host {settings.Host ?? "(default)"}, port {settings.Port}, database {settings.Database ?? "(default)"}, user {settings.Username ?? "(default)"}");

    internal override SecureKeyStorage Create(KeyStoreCredential credential)
    {
        try
        {
            return PostgreSqlKeyStorage.Create(dataSource, StoreName, credential, options);
        }
        catch (IOException e)
        {
            // The library's only IOException here: a store of that name exists, and nothing was changed.
            throw new CliException(e.Message, ExitCodes.AlreadyExists);
        }
    }

    internal override SecureKeyStorage Open(KeyStoreCredential credential) => PostgreSqlKeyStorage.Open(dataSource, StoreName, credential, options);

    /// <summary>Nothing to wait for here: the library waits on the store's row lock (up to <see cref="PostgreSqlKeyStoreOptions.LockTimeout"/>).</summary>
    internal override void WaitForOtherWriters(int timeoutSeconds)
    {
    }

    internal override void WriteLocation(TextWriter output)
    {
        output.WriteLine($"store:          {Name}");
        output.WriteLine($"server:         {Server}");
    }

    internal override void WriteLocation(Utf8JsonWriter writer)
    {
        writer.WriteStartObject("postgresql");
        writer.WriteString("store", StoreName);
        writer.WriteString("schema", options.Schema);
        writer.WriteString("host", settings.Host);
        writer.WriteNumber("port", settings.Port);
        writer.WriteString("database", settings.Database);
        writer.WriteString("username", settings.Username);
        writer.WriteEndObject();
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            dataSource.Dispose();
        }

        base.Dispose(disposing);
    }
}
