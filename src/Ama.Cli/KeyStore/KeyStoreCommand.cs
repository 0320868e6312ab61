using System.CommandLine;
using Ama.Cli.Secrets;
using Ama.Cryptography.KeyManagement;

namespace Ama.Cli.KeyStore;

/// <summary><c>ama keystore</c>: manages key store files. Secrets never come from argv.</summary>
internal static class KeyStoreCommand
{
    internal static Command Create()
    {
        var command = new Command(
            "keystore",
            "Manage key store files. Passwords come from a no-echo prompt, --password-stdin or --password-file; " +
            "a raw 32-byte key from --key-file. Never from the command line.")
        {
            Create_(),
            Put(),
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
            "ama keystore list app.keys --password-file /run/secrets/keystore-password");
    }

    private static Argument<string> StorePath() => new("store") { Description = "The key store file." };

    private static Argument<string> Name() => new("name") { Description = "The entry's name." };

    private static Option<bool> Json() => new("--json") { Description = "Print JSON instead of text." };

    private static Option<int> LockTimeout() => new("--lock-timeout")
    {
        Description = $"Seconds to wait while another process writes the store (default {StoreLock.DefaultTimeoutSeconds}); the wait is announced on stderr.",
        HelpName = "seconds",
        DefaultValueFactory = _ => StoreLock.DefaultTimeoutSeconds,
    };

    private static int ReadLockTimeout(ParseResult result, Option<int> option) => result.GetValue(option) is var seconds and >= 0 and <= 86_400
        ? seconds
        : throw CliException.Usage("--lock-timeout takes 0 to 86400 seconds.");

    private static Command Create_()
    {
        var store = StorePath();
        var credential = new CredentialOptions();
        var kdf = new KdfOptions();
        var command = new Command("create", "Create a new, empty key store file; asks for the password twice.") { store };
        kdf.AddTo(command);
        credential.AddTo(command);
        command.SetAction(r =>
        {
            string path = StoreFile.Absent(r.GetRequiredValue(store));
            KeyStoreKdf chosen = kdf.Read(r);
            return KeyStoreActions.Create(path, credential.Read(r, path, isNew: true), chosen);
        });
        return HelpExamples.With(
            command,
            "ama keystore create app.keys",
            "ama keystore create app.keys --key-file master.key",
            "ama keystore create app.keys --kdf pbkdf2 --password-file pw.txt",
            "ama keystore create app.keys --kdf argon2id --kdf-memory 262144 --kdf-iterations 2");
    }

    private static Command Put()
    {
        var store = StorePath();
        var name = Name();
        var credential = new CredentialOptions();
        var file = new Option<string?>("--file") { Description = "Read the key material from this file (default: stdin).", HelpName = "path" };
        var generate = new Option<int?>("--generate") { Description = "Generate this many random bytes as the key material.", HelpName = "bytes" };
        var lockTimeout = LockTimeout();
        var command = new Command("put", "Store key material as a new version of an entry (the primary one).") { store, name, file, generate, lockTimeout };
        credential.AddTo(command);
        command.SetAction(r =>
        {
            string path = StoreFile.Existing(r.GetRequiredValue(store));
            string entry = StoreFile.ValidName(r.GetRequiredValue(name));
            int timeout = ReadLockTimeout(r, lockTimeout);
            credential.Check(r);
            MaterialInput.Check(r.GetValue(file), r.GetValue(generate), credential.UsesStdin(r));
            return KeyStoreActions.Put(path, credential.Read(r, path, isNew: false), entry, r.GetValue(file), r.GetValue(generate), timeout);
        });
        return HelpExamples.With(
            command,
            "ama keystore put app.keys db-key --generate 32",
            "head -c 32 /dev/urandom | ama keystore put app.keys db-key",
            "head -c 32 /dev/urandom | ama keystore put app.keys db-key --password-file pw.txt",
            "ama keystore put app.keys tls-key --file key.bin");
    }

    private static Command Get()
    {
        var store = StorePath();
        var name = Name();
        var credential = new CredentialOptions();
        var version = new Option<int?>("--version") { Description = "Get this version instead of the primary one.", HelpName = "n" };
        var format = new Option<string>("--format") { Description = "Output encoding; raw is refused when stdout is a terminal.", DefaultValueFactory = _ => "hex" };
        format.AcceptOnlyFromAmong("hex", "base64", "raw");
        var output = new Option<string?>("--output") { Description = "Write to this new file, created 0600, instead of stdout.", HelpName = "path" };
        var force = new Option<bool>("--force") { Description = "With --output: replace an existing file (the new one is still 0600)." };
        var command = new Command("get", "Write an entry's key material to stdout, or to a 0600 file, as hex, base64 or raw bytes.") { store, name, version, format, output, force };
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

            string path = StoreFile.Existing(r.GetRequiredValue(store));
            string entry = StoreFile.ValidName(r.GetRequiredValue(name));
            credential.Check(r);
            return KeyStoreActions.Get(path, credential.Read(r, path, isNew: false), entry, r.GetValue(version), encoding, target, r.GetValue(force));
        });
        return HelpExamples.With(
            command,
            "ama keystore get app.keys db-key",
            "ama keystore get app.keys db-key --format raw --output db.key",
            "ama keystore get app.keys db-key --version 1 --format base64");
    }

    private static Command List()
    {
        var store = StorePath();
        var json = Json();
        var credential = new CredentialOptions();
        var command = new Command("list", "List the entry names (never their material).") { store, json };
        credential.AddTo(command);
        command.SetAction(r => KeyStoreActions.List(r.GetRequiredValue(store), credential.Read(r, StoreFile.Existing(r.GetRequiredValue(store)), isNew: false), r.GetValue(json)));
        return HelpExamples.With(command, "ama keystore list app.keys", "ama keystore list app.keys --json --password-stdin < pw.txt");
    }

    private static Command Delete()
    {
        var store = StorePath();
        var name = Name();
        var version = new Option<int?>("--version") { Description = "Destroy only this version; without it the whole entry goes.", HelpName = "n" };
        var yes = new Option<bool>("--yes", "-y") { Description = "Do not ask for confirmation (required when stdin is not a terminal)." };
        var lockTimeout = LockTimeout();
        var credential = new CredentialOptions();
        var command = new Command("delete", "Delete an entry, or destroy one version of it; asks first on a terminal.") { store, name, version, yes, lockTimeout };
        credential.AddTo(command);
        command.SetAction(r =>
        {
            string path = StoreFile.Existing(r.GetRequiredValue(store));
            string entry = StoreFile.ValidName(r.GetRequiredValue(name));
            int timeout = ReadLockTimeout(r, lockTimeout);
            credential.Check(r);
            Confirmation.CheckPossible(r.GetValue(yes));
            return KeyStoreActions.Delete(path, credential.Read(r, path, isNew: false), entry, r.GetValue(version), r.GetValue(yes), timeout);
        });
        return HelpExamples.With(command, "ama keystore delete app.keys old-key", "ama keystore delete app.keys db-key --version 1 --yes --password-file pw.txt");
    }

    private static Command Versions()
    {
        var store = StorePath();
        var name = Name();
        var json = Json();
        var credential = new CredentialOptions();
        var command = new Command("versions", "List the versions of an entry: number, primary, length, creation time, metadata.") { store, name, json };
        credential.AddTo(command);
        command.SetAction(r =>
        {
            string path = StoreFile.Existing(r.GetRequiredValue(store));
            string entry = StoreFile.ValidName(r.GetRequiredValue(name));
            credential.Check(r);
            return KeyStoreActions.Versions(path, credential.Read(r, path, isNew: false), entry, r.GetValue(json));
        });
        return HelpExamples.With(command, "ama keystore versions app.keys db-key", "ama keystore versions app.keys db-key --json");
    }

    private static Command Passwd()
    {
        var store = StorePath();
        var current = new CredentialOptions();
        var replacement = new CredentialOptions("new-");
        var kdf = new KdfOptions();
        var lockTimeout = LockTimeout();
        var command = new Command("passwd", "Change the store's credential (password or key); the entries are not re-encrypted.") { store, lockTimeout };
        current.AddTo(command);
        replacement.AddTo(command, withStdin: false);
        kdf.AddTo(command);
        command.SetAction(r =>
        {
            // Arguments first, then the old credential, and only then the new one: a wrong old password never costs a new one typed twice.
            string path = StoreFile.Existing(r.GetRequiredValue(store));
            KeyStoreKdf chosen = kdf.Read(r);
            int timeout = ReadLockTimeout(r, lockTimeout);
            current.Check(r);
            replacement.Check(r);
            return KeyStoreActions.Passwd(path, current.Read(r, path, isNew: false), () => replacement.Read(r, path, isNew: true), chosen, timeout);
        });
        return HelpExamples.With(command, "ama keystore passwd app.keys", "ama keystore passwd app.keys --password-file old.txt --new-key-file master.key",
            "ama keystore passwd app.keys --key-file old.key --new-password-file pw.txt --kdf pbkdf2");
    }

    private static Command RotateDataKey()
    {
        var store = StorePath();
        var credential = new CredentialOptions();
        var lockTimeout = LockTimeout();
        var command = new Command("rotate-data-key", "Re-encrypt every entry under a fresh data key.") { store, lockTimeout };
        credential.AddTo(command);
        command.SetAction(r =>
        {
            string path = StoreFile.Existing(r.GetRequiredValue(store));
            int timeout = ReadLockTimeout(r, lockTimeout);
            credential.Check(r);
            return KeyStoreActions.RotateDataKey(path, credential.Read(r, path, isNew: false), timeout);
        });
        return HelpExamples.With(command, "ama keystore rotate-data-key app.keys");
    }

    private static Command Info()
    {
        var store = StorePath();
        var json = Json();
        var credential = new CredentialOptions();
        var command = new Command("info", "Show the format version, KDF and counts of a store; never secrets.") { store, json };
        credential.AddTo(command);
        command.SetAction(r => KeyStoreActions.Info(r.GetRequiredValue(store), credential.Read(r, StoreFile.Existing(r.GetRequiredValue(store)), isNew: false), r.GetValue(json)));
        return HelpExamples.With(command, "ama keystore info app.keys", "ama keystore info app.keys --json --key-file master.key");
    }
}
