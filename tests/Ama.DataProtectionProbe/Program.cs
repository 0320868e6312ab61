// A process that uses Data Protection on a shared key store, for the two-process tests:
//   protect <text>      prints the protected payload
//   unprotect <payload> prints the text
// The store comes from AMA_PROBE_STORE (a file, or with AMA_PROBE_POSTGRES set, the name of a
// store in that PostgreSQL database), its raw 32-byte key from the file AMA_PROBE_KEY_FILE.
using Ama.Cryptography.KeyManagement;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

if (args.Length != 2 || args[0] is not ("protect" or "unprotect"))
{
    Console.Error.WriteLine("usage: Ama.DataProtectionProbe protect|unprotect <text>");
    return 2;
}

string store = Environment.GetEnvironmentVariable("AMA_PROBE_STORE") ?? throw new InvalidOperationException("AMA_PROBE_STORE is not set.");
string keyFile = Environment.GetEnvironmentVariable("AMA_PROBE_KEY_FILE") ?? throw new InvalidOperationException("AMA_PROBE_KEY_FILE is not set.");

string? postgres = Environment.GetEnvironmentVariable("AMA_PROBE_POSTGRES");

var services = new ServiceCollection();
if (postgres is not null)
{
    services.AddSingleton(_ => NpgsqlDataSource.Create(postgres));
}

// The host's credential options read the key file into secure memory; OpenStorage puts the store in PostgreSQL.
services.AddSecureKeyStorage(options =>
{
    options.KeyFile = keyFile;
    if (postgres is null)
    {
        options.Path = store;
    }
    else
    {
        options.OpenStorage = (provider, credential) => PostgreSqlKeyStorage.Open(provider.GetRequiredService<NpgsqlDataSource>(), store, credential);
    }
});
services.AddDataProtection()
    .SetApplicationName("ama-dataprotection-probe")
    .PersistKeysToSecureKeyStorage()
    .ProtectKeysWithSecureKeyStorage();

using ServiceProvider provider = services.BuildServiceProvider();
IDataProtector protector = provider.GetDataProtector("Ama.DataProtectionProbe");
Console.WriteLine(args[0] == "protect" ? protector.Protect(args[1]) : protector.Unprotect(args[1]));
return 0;
