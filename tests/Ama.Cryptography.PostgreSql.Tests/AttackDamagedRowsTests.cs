using Ama.Cryptography.KeyManagement;
using Ama.Cryptography.PostgreSql.Tests.Infrastructure;

namespace Ama.Cryptography.PostgreSql.Tests;

/// <summary>
/// Damage that is not a flipped bit: columns emptied, cut short, grown, set to extreme values, names
/// outside the alphabet. Each must be <see cref="KeyStoreDamagedException"/> for an open instance
/// (Refresh) and a new one (Open), never another exception type or a hang.
/// </summary>
public sealed class AttackDamagedRowsTests(PostgresServer server)
{
    public static TheoryData<string, string> Edits => new()
    {
        { "header emptied", "UPDATE ama.key_stores SET header = ''::bytea WHERE store_name = $1" },
        { "header cut", "UPDATE ama.key_stores SET header = substring(header from 1 for 40) WHERE store_name = $1" },
        { "header grown", "UPDATE ama.key_stores SET header = header || '\\x00'::bytea WHERE store_name = $1" },
        { "mac emptied", "UPDATE ama.key_stores SET mac = ''::bytea WHERE store_name = $1" },
        { "mac grown", "UPDATE ama.key_stores SET mac = mac || mac WHERE store_name = $1" },
        { "generation negative", "UPDATE ama.key_stores SET generation = -1 WHERE store_name = $1" },
        { "generation maximal", "UPDATE ama.key_stores SET generation = 9223372036854775807 WHERE store_name = $1" },
        { "record emptied", "UPDATE ama.key_entries SET record = ''::bytea WHERE store_name = $1 AND key_name = 'alpha'" },
        { "record cut", "UPDATE ama.key_entries SET record = substring(record from 1 for 9) WHERE store_name = $1 AND key_name = 'alpha'" },
        { "record grown by 1 MiB", "UPDATE ama.key_entries SET record = record || decode(repeat('00', 1048576), 'hex') WHERE store_name = $1 AND key_name = 'alpha'" },
        { "key name not ASCII", "UPDATE ama.key_entries SET key_name = 'alphé' WHERE store_name = $1 AND key_name = 'alpha'" },
        { "key name with a space", "UPDATE ama.key_entries SET key_name = 'al ha' WHERE store_name = $1 AND key_name = 'alpha'" },
        { "key name too long", "UPDATE ama.key_entries SET key_name = repeat('a', 300) WHERE store_name = $1 AND key_name = 'alpha'" },
        { "all entries deleted", "DELETE FROM ama.key_entries WHERE store_name = $1" },
    };

    [Theory]
    [MemberData(nameof(Edits))]
    public void A_column_emptied_cut_grown_or_out_of_range_is_damage_for_open_and_refresh(string edit, string sql)
    {
        using var dataSource = server.CreateDataSource();
        using var credential = TestStores.Credential(TestStores.NewKey());
        string name = TestStores.NewName();
        using var writer = PostgreSqlKeyStorage.Create(dataSource, name, credential);
        writer.Store("alpha", [1, 2, 3]);
        writer.Store("beta", [4, 5, 6]);
        using var reader = PostgreSqlKeyStorage.Open(dataSource, name, credential);

        // Control: untouched, both read.
        reader.Refresh();
        PostgreSqlKeyStorage.Open(dataSource, name, credential).Dispose();

        Assert.True(server.Execute(sql, name) > 0, $"{edit}: the edit changed no row");
        Exception? refreshed = Record.Exception(reader.Refresh);
        Assert.True(refreshed is KeyStoreDamagedException, $"{edit}: Refresh threw {refreshed?.GetType().Name ?? "nothing"}: {refreshed?.Message}");

        // The instance that found the damage refuses to write, and the refused write changes no row.
        byte[] rows = StoreRows.Read(server, "ama", name).Image;
        Exception? stored = Record.Exception(() => reader.Store("gamma", [7]));
        Assert.True(stored is KeyStoreDamagedException, $"{edit}: Store after the damage threw {stored?.GetType().Name ?? "nothing"}: {stored?.Message}");
        Assert.Equal(rows, StoreRows.Read(server, "ama", name).Image);
        Exception? opened = Record.Exception(() => PostgreSqlKeyStorage.Open(dataSource, name, credential).Dispose());
        Assert.True(opened is KeyStoreDamagedException, $"{edit}: Open threw {opened?.GetType().Name ?? "nothing"}: {opened?.Message}");
    }
}
