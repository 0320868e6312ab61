using System.Buffers.Binary;
using System.Security.Cryptography;
using Ama.Cryptography.PostgreSql.Tests.Infrastructure;

namespace Ama.Cli.Tests;

/// <summary>
/// A PostgreSQL store whose rows were forged with plain SQL by a role without the key: the tool
/// reports damage (exit 65, "damaged" in the message), never an internal error (70), for reads and
/// for writes, and a refused write leaves the rows as they were.
/// </summary>
public sealed class KeyStorePostgresDamageTests : IClassFixture<PostgresServer>, IDisposable
{
    private const string FixChecksumSql =
        "UPDATE ama.key_stores s SET mac = substring(s.mac from 1 for 32) || sha256(s.header || coalesce((SELECT string_agg(e.record, ''::bytea ORDER BY e.key_name COLLATE \"C\") " +
        "FROM ama.key_entries e WHERE e.store_name = s.store_name), ''::bytea) || substring(s.mac from 1 for 32)) WHERE s.store_name = $1";

    private readonly PostgresServer server;
    private readonly string directory = Directory.CreateTempSubdirectory("ama-ks-pg-damage-").FullName;
    private readonly string keyFile;

    public KeyStorePostgresDamageTests(PostgresServer server)
    {
        this.server = server;
        keyFile = Path.Combine(directory, "master.key");
        SecretFiles.WriteAllBytes(keyFile, RandomNumberGenerator.GetBytes(32));
    }

    public void Dispose() => Directory.Delete(directory, recursive: true);

    public static TheoryData<string, long?, ulong?> ForgedGenerations => new()
    {
        // what, generation column (null: unchanged), header generation with the checksum recomputed (null: unchanged)
        { "header 2^63", null, 1UL << 63 },
        { "header 2^64-1", null, ulong.MaxValue },
        { "column and header 2^63", long.MinValue, 1UL << 63 },
        { "column and header 2^64-1", -1, ulong.MaxValue },
        { "column 2^63 (bigint minimum)", long.MinValue, null },
        { "column 2^64-1 (bigint -1)", -1, null },
    };

    [Theory]
    [MemberData(nameof(ForgedGenerations))]
    public void A_forged_generation_is_a_damaged_store_for_reads_and_writes(string what, long? column, ulong? header)
    {
        string connection = server.ConnectionString;
        string store = "cli-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));
        AmaProcess.Result Run(params string[] args) => AmaProcess.Run([.. args, "--postgres", connection, "--store", store, "--key-file", keyFile], workingDirectory: directory);
        KeyStoreFixture.Ok(Run("keystore", "create"));
        KeyStoreFixture.Ok(Run("keystore", "put", "k", "--generate", "16"));

        // Control: the untouched store lists.
        Assert.Equal("k\n", KeyStoreFixture.Ok(Run("keystore", "list")).Stdout);

        if (header is { } h)
        {
            byte[] bytes = new byte[8];
            BinaryPrimitives.WriteUInt64LittleEndian(bytes, h);
            Assert.Equal(1, server.Execute("UPDATE ama.key_stores SET header = overlay(header placing $2 from 29 for 8) WHERE store_name = $1", store, bytes));
            Assert.Equal(1, server.Execute(FixChecksumSql, store));
        }

        if (column is { } c)
        {
            Assert.Equal(1, server.Execute("UPDATE ama.key_stores SET generation = $2 WHERE store_name = $1", store, c));
        }

        string rowsBefore = Rows(store);
        foreach (string[] command in (string[][])[["keystore", "list"], ["keystore", "get", "k"], ["keystore", "put", "k", "--generate", "16"], ["keystore", "rotate-data-key"]])
        {
            AmaProcess.Result result = Run(command);
            Assert.True(result.ExitCode == 65, $"{what}, {string.Join(' ', command)}: {result}");
            Assert.Contains("damaged", result.Stderr, StringComparison.Ordinal);
            Assert.DoesNotContain("internal error", result.Stderr, StringComparison.Ordinal);
        }

        Assert.Equal(rowsBefore, Rows(store));
    }

    /// <summary>Every column of the store's rows, as text, to show a refused write changed none of them.</summary>
    private string Rows(string store) =>
        server.Scalar<string>("SELECT generation::text || encode(header, 'hex') || encode(mac, 'hex') || coalesce((SELECT string_agg(key_name || encode(record, 'hex'), ',' ORDER BY key_name) FROM ama.key_entries WHERE store_name = $1), '') FROM ama.key_stores WHERE store_name = $1", store)!;
}
