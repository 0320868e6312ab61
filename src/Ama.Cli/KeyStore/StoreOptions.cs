using System.CommandLine;
using Ama.Cryptography.KeyManagement;
using Npgsql;

namespace Ama.Cli.KeyStore;

/// <summary>
/// Where a command's store is: the file argument, or <c>--postgres</c> (default: the AMA_POSTGRES
/// environment variable) with <c>--store NAME</c>. Both at once is a usage error naming both, and
/// so is <c>--store</c> without a connection string. The file argument is optional in the parser so
/// that with <c>--postgres</c> the first positional is the entry's name; the rules are checked here,
/// before any password is asked for.
/// </summary>
internal sealed class StoreOptions
{
    internal const string ConnectionVariable = "AMA_POSTGRES";

    private readonly Argument<string?> file = new("file")
    {
        Arity = ArgumentArity.ZeroOrOne,
        Description = "The key store file; left out with --postgres (or AMA_POSTGRES) and --store.",
    };

    private readonly Argument<string?>? entry;

    // Commands whose positional argument is something else (the input of encrypt and decrypt) name the store file with this option.
    private readonly Option<string?>? keyStore;

    private readonly Option<string?> postgres = new("--postgres")
    {
        Description = $"Use a key store in PostgreSQL instead of a file: an Npgsql connection string (default: the {ConnectionVariable} environment variable). Needs --store.",
        HelpName = "connection-string",
    };

    private readonly Option<string?> store = new("--store")
    {
        Description = "The name of the key store in PostgreSQL (1 to 128 characters of A-Z, a-z, 0-9, '.', '_' and '-').",
        HelpName = "name",
    };

    private readonly Option<string?> schema = new("--schema")
    {
        Description = $"The schema of the key store tables in PostgreSQL (default {PostgreSqlKeyStorage.DefaultSchema}).",
        HelpName = "name",
    };

    internal StoreOptions(bool withEntryName, bool fileAsOption = false)
    {
        if (withEntryName)
        {
            entry = new Argument<string?>("name") { Arity = ArgumentArity.ZeroOrOne, Description = "The entry's name (required)." };
        }

        if (fileAsOption)
        {
            keyStore = new Option<string?>("--key-store") { Description = "The key store file; left out with --postgres (or AMA_POSTGRES) and --store.", HelpName = "path" };
        }
    }

    internal void AddTo(Command command)
    {
        if (keyStore is null)
        {
            command.Arguments.Add(file);
        }
        else
        {
            command.Options.Add(keyStore);
        }

        if (entry is not null)
        {
            command.Arguments.Add(entry);
        }

        command.Options.Add(postgres);
        command.Options.Add(store);
        command.Options.Add(schema);
    }

    /// <summary>Checks where the store is (a file must exist, or must not for <c>create</c>) and returns it, not yet opened; with the entry's name when the command takes one.</summary>
    internal (StoreLocation Location, string? EntryName) Resolve(ParseResult result, bool isNew)
    {
        string help = keyStore is null ? $" See 'ama keystore {result.CommandResult.Command.Name} --help'." : $" See 'ama {result.CommandResult.Command.Name} --help'.";
        string? storeFile = keyStore is null ? result.GetValue(file) : result.GetValue(keyStore);
        List<string> positionals = [.. new[] { storeFile, entry is null ? null : result.GetValue(entry) }.OfType<string>()];
        int names = entry is null ? 0 : 1;
        (string? connection, string source) = ConnectionString(result);
        string? storeName = result.GetValue(store);
        if (connection is null)
        {
            if (storeName is not null)
            {
                throw CliException.Usage($"--store names a key store in PostgreSQL, but there is no connection string: give --postgres or set {ConnectionVariable}, or give a key store file instead of --store.{help}");
            }

            if (result.GetValue(schema) is not null)
            {
                throw CliException.Usage($"--schema applies to key stores in PostgreSQL; give --postgres (or set {ConnectionVariable}) with --store, or leave --schema out.{help}");
            }

            if (positionals.Count <= names)
            {
                throw CliException.Usage((positionals.Count, names) switch
                {
                    (0, 0) => $"Give the key store file{(keyStore is null ? string.Empty : " (--key-store PATH)")}, or --postgres with --store.{help}",
                    (0, _) => $"Give the key store file (or --postgres with --store) and the entry's name.{help}",
                    _ => $"Give the entry's name after the key store file.{help}",
                });
            }

            string path = isNew ? StoreFile.Absent(positionals[0]) : StoreFile.Existing(positionals[0]);
            return (StoreLocation.File(path), names == 1 ? positionals[1] : null);
        }

        if (positionals.Count > names)
        {
            throw CliException.Usage($"Both a key store file ('{positionals[0]}') and {source} were given: name the store either by its file or by --store in PostgreSQL, not both.{help}");
        }

        if (storeName is null)
        {
            throw CliException.Usage($"{source} needs --store NAME, the name of the key store in the database.{help}");
        }

        if (names == 1 && positionals.Count == 0)
        {
            throw CliException.Usage($"Give the entry's name.{help}");
        }

        if (!KeyNames.IsValid(storeName))
        {
            throw CliException.BadInput($"'{storeName}' is not a valid store name: use 1 to {KeyNames.MaxNameLength} characters of A-Z, a-z, 0-9, '.', '_' and '-'.");
        }

        return (StoreLocation.Postgres(ParseConnectionString(connection, source), storeName, ReadSchema(result)), names == 1 ? positionals[0] : null);
    }

    /// <summary>True when the store is in PostgreSQL, which file-only options (--lock-timeout) do not apply to.</summary>
    internal bool UsesPostgres(ParseResult result) => ConnectionString(result).Value is not null;

    private (string? Value, string Source) ConnectionString(ParseResult result)
    {
        if (result.GetValue(postgres) is { } given)
        {
            return (given, "--postgres");
        }

        return Environment.GetEnvironmentVariable(ConnectionVariable) is { Length: > 0 } fromEnvironment
            ? (fromEnvironment, $"{ConnectionVariable} (set in the environment)")
            : (null, string.Empty);
    }

    private PostgreSqlKeyStoreOptions ReadSchema(ParseResult result)
    {
        var options = new PostgreSqlKeyStoreOptions();
        if (result.GetValue(schema) is { } name)
        {
            try
            {
                options.Schema = name;
            }
            catch (ArgumentException)
            {
                throw CliException.BadInput($"--schema '{name}' is not a valid schema name: use 1 to 63 characters of a-z, 0-9 and '_', starting with a letter or '_' and not with 'pg_'.");
            }
        }

        return options;
    }

    private static NpgsqlConnectionStringBuilder ParseConnectionString(string connection, string source)
    {
        // Every part that could hold a password is scrubbed from messages; the parser's own message names a keyword, not a value.
        Redaction.AddConnectionString(connection);
        NpgsqlConnectionStringBuilder settings;
        try
        {
            settings = new NpgsqlConnectionStringBuilder(connection);
        }
        catch (ArgumentException e)
        {
            throw CliException.Usage($"{source} is not a valid Npgsql connection string ({e.Message.TrimEnd('.')}).");
        }

        // Both parse, but Npgsql refuses them only when the data source is built or used, which
        // would surface as an internal error after the password prompt.
        if (string.IsNullOrWhiteSpace(settings.Host))
        {
            throw CliException.Usage($"{source} names no server: add Host=NAME (a host name, an IP address, or the directory of a Unix socket).");
        }

        if (settings.Multiplexing)
        {
            throw CliException.Usage($"{source} sets Multiplexing=true, which the key store does not support (it runs its transactions on one connection); leave Multiplexing out.");
        }

        return settings;
    }
}

/// <summary>A store's place, checked but not yet opened.</summary>
internal sealed record StoreLocation(string? Path, NpgsqlConnectionStringBuilder? Connection, string? StoreName, PostgreSqlKeyStoreOptions? Options)
{
    internal static StoreLocation File(string path) => new(path, null, null, null);

    internal static StoreLocation Postgres(NpgsqlConnectionStringBuilder connection, string storeName, PostgreSqlKeyStoreOptions options) => new(null, connection, storeName, options);

    internal bool IsPostgres => Connection is not null;

    /// <summary>The target to open the store through; for PostgreSQL this builds the data source (no connection is made yet).</summary>
    internal StoreTarget Connect() => Path is { } path ? new FileStoreTarget(path) : new PostgresStoreTarget(Connection!, StoreName!, Options!);
}
