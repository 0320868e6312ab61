using System.CommandLine;
using Ama.Cli.Secrets;
using Ama.Cryptography.KeyManagement;

namespace Ama.Cli.KeyStore;

/// <summary>
/// <c>ama keystore</c>: manages key stores, in files or in PostgreSQL (<c>--postgres</c> or
/// AMA_POSTGRES, with <c>--store NAME</c>). Secrets never come from argv.
/// </summary>
internal static class KeyStoreCommand
{
    private const string PgExample = "--postgres 'Host=db.internal;Database=keys;Username=app' --store app";

    internal static Command Create()
    {
        var command = new Command(
            "keystore",
            "Manage key stores: files, or named stores in PostgreSQL (--postgres or AMA_POSTGRES, with --store). " +
            "Passwords come from a no-echo prompt, --password-stdin, --password-file or --password-credential (systemd); a raw 32-byte key from --key-file or --key-credential. Never from the command line.")
        {
            Create_(),
            Put(),
            Generate(),
            Get(),
            List(),
            Delete(),
            Versions(),
            Passwd(),
            RotateDataKey(),
            Info(),
        };
        return HelpExamples.With(
            command,
            "ama keystore create app.keys",
            "ama keystore put app.keys db-key --generate 32",
            "ama keystore get app.keys db-key --format base64",
            "ama keystore list app.keys --password-file /run/secrets/keystore-password",
            $"ama keystore list {PgExample} --password-file /run/secrets/keystore-password",
            "AMA_POSTGRES='Host=db.internal;Database=keys;Username=app' ama keystore get --store app db-key");
    }

    private static Option<bool> Json() => new("--json") { Description = "Print JSON instead of text." };

    private static Option<int> LockTimeout() => new("--lock-timeout")
    {
        Description = $"Seconds to wait while another process writes a store file (default {StoreLock.DefaultTimeoutSeconds}); the wait is announced on stderr. Files only.",
        HelpName = "seconds",
        DefaultValueFactory = _ => StoreLock.DefaultTimeoutSeconds,
    };

    private static int ReadLockTimeout(ParseResult result, Option<int> option, StoreOptions store)
    {
        if (store.UsesPostgres(result) && result.GetResult(option) is { Implicit: false })
        {
            throw CliException.Usage(
                $"--lock-timeout applies to key store files; a PostgreSQL store waits on its row lock, up to {PostgreSqlKeyStorage.DefaultLockTimeout.TotalSeconds:0} s.");
        }

        return result.GetValue(option) is var seconds and >= 0 and <= 86_400
            ? seconds
            : throw CliException.Usage("--lock-timeout takes 0 to 86400 seconds.");
    }

    private static string RequiredEntry(string? name) => StoreFile.ValidName(name!);

    private static Command Create_()
    {
        var store = new StoreOptions(withEntryName: false);
        var credential = new CredentialOptions();
        var kdf = new KdfOptions();
        var command = new Command("create", "Create a new, empty key store (a file, or a named store in PostgreSQL); asks for the password twice.");
        store.AddTo(command);
        kdf.AddTo(command);
        credential.AddTo(command);
        command.SetAction(r =>
        {
            (StoreLocation location, _) = store.Resolve(r, isNew: true);
            KeyStoreKdf chosen = kdf.Read(r);
            credential.Check(r);
            using StoreTarget target = location.Connect();
            return KeyStoreActions.Create(target, credential.Read(r, target.Label, isNew: true), chosen);
        });
        return HelpExamples.With(
            command,
            "ama keystore create app.keys",
            "ama keystore create app.keys --key-file master.key",
            "ama keystore create app.keys --kdf pbkdf2 --password-file pw.txt",
            "ama keystore create app.keys --kdf argon2id --kdf-memory 262144 --kdf-iterations 2",
            $"ama keystore create {PgExample} --key-file master.key");
    }

    private static Command Put()
    {
        var store = new StoreOptions(withEntryName: true);
        var credential = new CredentialOptions();
        var file = new Option<string?>("--file") { Description = "Read the key material from this file (default: stdin).", HelpName = "path" };
        var generate = new Option<int?>("--generate") { Description = "Generate this many random bytes as the key material.", HelpName = "bytes" };
        var lockTimeout = LockTimeout();
        var meta = new MetaOption();
        var command = new Command("put", "Store key material as a new version of an entry (the primary one).") { file, generate, lockTimeout };
        meta.AddTo(command);
        store.AddTo(command);
        credential.AddTo(command);
        command.SetAction(r =>
        {
            Dictionary<string, string>? metadata = meta.Read(r);
            (StoreLocation location, string? name) = store.Resolve(r, isNew: false);
            string entry = RequiredEntry(name);
            int timeout = ReadLockTimeout(r, lockTimeout, store);
            credential.Check(r);
            MaterialInput.Check(r.GetValue(file), r.GetValue(generate), credential.UsesStdin(r));
            using StoreTarget target = location.Connect();
            return KeyStoreActions.Put(target, credential.Read(r, target.Label, isNew: false), entry, r.GetValue(file), r.GetValue(generate), metadata, timeout);
        });
        return HelpExamples.With(
            command,
            "ama keystore put app.keys db-key --generate 32",
            "head -c 32 /dev/urandom | ama keystore put app.keys db-key",
            "head -c 32 /dev/urandom | ama keystore put app.keys db-key --password-file pw.txt",
            "ama keystore put app.keys tls-key --file key.bin",
            "ama keystore put app.keys db-key --generate 32 --meta purpose=db --meta owner=team-a",
            $"ama keystore put {PgExample} db-key --generate 32");
    }

    private static Command Generate()
    {
        var store = new StoreOptions(withEntryName: true);
        var credential = new CredentialOptions();
        var type = new Option<string>("--type") { Description = $"The key to make: {KeyType.Choices}. The curve types store the 32-byte private key (the Ed25519 seed) and print the public key in base64.", HelpName = "type", Required = true };
        var lockTimeout = LockTimeout();
        var meta = new MetaOption();
        var command = new Command("generate", "Make a fresh key in secure memory and store it as a new version of an entry; prints the public key for ed25519 and x25519.") { type, lockTimeout };
        meta.AddTo(command);
        store.AddTo(command);
        credential.AddTo(command);
        command.SetAction(r =>
        {
            KeyType keyType = KeyType.Parse(r.GetRequiredValue(type));
            Dictionary<string, string>? metadata = meta.Read(r);
            (StoreLocation location, string? name) = store.Resolve(r, isNew: false);
            string entry = RequiredEntry(name);
            int timeout = ReadLockTimeout(r, lockTimeout, store);
            credential.Check(r);
            using StoreTarget target = location.Connect();
            return KeyStoreActions.Generate(target, credential.Read(r, target.Label, isNew: false), entry, keyType, metadata, timeout);
        });
        return HelpExamples.With(
            command,
            "ama keystore generate app.keys signing-key --type ed25519",
            "ama keystore generate app.keys agreement-key --type x25519",
            "ama keystore generate app.keys db-key --type aes256",
            "ama keystore generate app.keys hmac-key --type random:64");
    }

    private static Command Get()
    {
        var store = new StoreOptions(withEntryName: true);
        var credential = new CredentialOptions();
        var version = new Option<int?>("--version") { Description = "Get this version instead of the primary one.", HelpName = "n" };
        var format = new Option<string>("--format") { Description = "Output encoding (default hex, safe for binary keys); text prints the bytes as UTF-8 and refuses any that are not; raw writes them unchanged and is refused when stdout is a terminal.", DefaultValueFactory = _ => "hex" };
        format.AcceptOnlyFromAmong("text", "hex", "base64", "raw");
        var output = new Option<string?>("--output") { Description = "Write to this new file, created 0600, instead of stdout.", HelpName = "path" };
        var force = new Option<bool>("--force") { Description = "With --output: replace an existing file (the new one is still 0600)." };
        var command = new Command("get", "Write an entry's key material to stdout, or to a 0600 file, as hex (the default), base64, UTF-8 text or raw bytes.") { version, format, output, force };
        store.AddTo(command);
        credential.AddTo(command);
        command.SetAction(r =>
        {
            SecretFormat encoding = SecretWriter.ParseFormat(r.GetRequiredValue(format));
            string? target = r.GetValue(output);
            if (target is null)
            {
                SecretWriter.RefuseRawToTerminal(encoding);
            }
            else
            {
                SecretFile.CheckTarget(target, r.GetValue(force));
            }

            (StoreLocation location, string? name) = store.Resolve(r, isNew: false);
            string entry = RequiredEntry(name);
            credential.Check(r);
            using StoreTarget storeTarget = location.Connect();
            return KeyStoreActions.Get(storeTarget, credential.Read(r, storeTarget.Label, isNew: false), entry, r.GetValue(version), encoding, target, r.GetValue(force));
        });
        return HelpExamples.With(
            command,
            "ama keystore get app.keys db-key",
            "ama keystore get app.keys db-key --format raw --output db.key",
            "ama keystore get app.keys db-key --version 1 --format base64",
            "ama keystore get app.keys api-token --format text",
            $"ama keystore get {PgExample} db-key --format base64");
    }

    private static Command List()
    {
        var store = new StoreOptions(withEntryName: false);
        var json = Json();
        var credential = new CredentialOptions();
        var command = new Command("list", "List the entry names (never their material).") { json };
        store.AddTo(command);
        credential.AddTo(command);
        command.SetAction(r =>
        {
            (StoreLocation location, _) = store.Resolve(r, isNew: false);
            credential.Check(r);
            using StoreTarget target = location.Connect();
            return KeyStoreActions.List(target, credential.Read(r, target.Label, isNew: false), r.GetValue(json));
        });
        return HelpExamples.With(
            command,
            "ama keystore list app.keys",
            "ama keystore list app.keys --json --password-stdin < pw.txt",
            $"ama keystore list {PgExample} --json");
    }

    private static Command Delete()
    {
        var store = new StoreOptions(withEntryName: true);
        var version = new Option<int?>("--version") { Description = "Destroy only this version; without it the whole entry goes.", HelpName = "n" };
        var yes = new Option<bool>("--yes", "-y") { Description = "Do not ask for confirmation (required when stdin is not a terminal)." };
        var lockTimeout = LockTimeout();
        var credential = new CredentialOptions();
        var command = new Command("delete", "Delete an entry, or destroy one version of it; asks first on a terminal.") { version, yes, lockTimeout };
        store.AddTo(command);
        credential.AddTo(command);
        command.SetAction(r =>
        {
            (StoreLocation location, string? name) = store.Resolve(r, isNew: false);
            string entry = RequiredEntry(name);
            int timeout = ReadLockTimeout(r, lockTimeout, store);
            credential.Check(r);
            Confirmation.CheckPossible(r.GetValue(yes));
            using StoreTarget target = location.Connect();
            return KeyStoreActions.Delete(target, credential.Read(r, target.Label, isNew: false), entry, r.GetValue(version), r.GetValue(yes), timeout);
        });
        return HelpExamples.With(
            command,
            "ama keystore delete app.keys old-key",
            "ama keystore delete app.keys db-key --version 1 --yes --password-file pw.txt",
            $"ama keystore delete {PgExample} old-key --yes --key-file master.key");
    }

    private static Command Versions()
    {
        var store = new StoreOptions(withEntryName: true);
        var json = Json();
        var credential = new CredentialOptions();
        var command = new Command("versions", "List the versions of an entry: number, primary, length, creation time, metadata.") { json };
        store.AddTo(command);
        credential.AddTo(command);
        command.SetAction(r =>
        {
            (StoreLocation location, string? name) = store.Resolve(r, isNew: false);
            string entry = RequiredEntry(name);
            credential.Check(r);
            using StoreTarget target = location.Connect();
            return KeyStoreActions.Versions(target, credential.Read(r, target.Label, isNew: false), entry, r.GetValue(json));
        });
        return HelpExamples.With(
            command,
            "ama keystore versions app.keys db-key",
            "ama keystore versions app.keys db-key --json",
            $"ama keystore versions {PgExample} db-key");
    }

    private static Command Passwd()
    {
        var store = new StoreOptions(withEntryName: false);
        var current = new CredentialOptions();
        var replacement = new CredentialOptions("new-");
        var kdf = new KdfOptions();
        var lockTimeout = LockTimeout();
        var command = new Command("passwd", "Change the store's credential (password or key); the entries are not re-encrypted.") { lockTimeout };
        store.AddTo(command);
        current.AddTo(command);
        replacement.AddTo(command, withStdin: false);
        kdf.AddTo(command);
        command.SetAction(r =>
        {
            // Arguments first, then the old credential, and only then the new one: a wrong old password never costs a new one typed twice.
            (StoreLocation location, _) = store.Resolve(r, isNew: false);
            KeyStoreKdf chosen = kdf.Read(r);
            int timeout = ReadLockTimeout(r, lockTimeout, store);
            current.Check(r);
            replacement.Check(r);
            using StoreTarget target = location.Connect();
            return KeyStoreActions.Passwd(target, current.Read(r, target.Label, isNew: false), () => replacement.Read(r, target.Label, isNew: true), chosen, timeout);
        });
        return HelpExamples.With(
            command,
            "ama keystore passwd app.keys",
            "ama keystore passwd app.keys --password-file old.txt --new-key-file master.key",
            "ama keystore passwd app.keys --key-file old.key --new-password-file pw.txt --kdf pbkdf2",
            $"ama keystore passwd {PgExample} --key-file old.key --new-key-file new.key");
    }

    private static Command RotateDataKey()
    {
        var store = new StoreOptions(withEntryName: false);
        var credential = new CredentialOptions();
        var lockTimeout = LockTimeout();
        var command = new Command("rotate-data-key", "Re-encrypt every entry under a fresh data key.") { lockTimeout };
        store.AddTo(command);
        credential.AddTo(command);
        command.SetAction(r =>
        {
            (StoreLocation location, _) = store.Resolve(r, isNew: false);
            int timeout = ReadLockTimeout(r, lockTimeout, store);
            credential.Check(r);
            using StoreTarget target = location.Connect();
            return KeyStoreActions.RotateDataKey(target, credential.Read(r, target.Label, isNew: false), timeout);
        });
        return HelpExamples.With(command, "ama keystore rotate-data-key app.keys", $"ama keystore rotate-data-key {PgExample}");
    }

    private static Command Info()
    {
        var store = new StoreOptions(withEntryName: false);
        var json = Json();
        var credential = new CredentialOptions();
        var command = new Command("info", "Show where the store is, its format version, KDF and counts; never secrets.") { json };
        store.AddTo(command);
        credential.AddTo(command);
        command.SetAction(r =>
        {
            (StoreLocation location, _) = store.Resolve(r, isNew: false);
            credential.Check(r);
            using StoreTarget target = location.Connect();
            return KeyStoreActions.Info(target, credential.Read(r, target.Label, isNew: false), r.GetValue(json));
        });
        return HelpExamples.With(
            command,
            "ama keystore info app.keys",
            "ama keystore info app.keys --json --key-file master.key",
            $"ama keystore info {PgExample} --json");
    }
}
