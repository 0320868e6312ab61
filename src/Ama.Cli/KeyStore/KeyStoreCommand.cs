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
        var command = new Command("put", "Store key material as a new version of an entry (the primary one).") { store, name, file, generate };
        credential.AddTo(command);
        command.SetAction(r =>
        {
            string path = StoreFile.Existing(r.GetRequiredValue(store));
            using CredentialInput input = credential.Read(r, path, isNew: false);
            (Ama.Cryptography.SecureBuffer material, int length) = MaterialInput.Read(r.GetValue(file), r.GetValue(generate), credential.UsesStdin(r));
            return KeyStoreActions.Put(path, input, r.GetRequiredValue(name), material, length);
        });
        return HelpExamples.With(command, "ama keystore put app.keys db-key --generate 32", "head -c 32 /dev/urandom | ama keystore put app.keys db-key --password-file pw.txt", "ama keystore put app.keys tls-key --file key.bin");
    }

    private static Command Get()
    {
        var store = StorePath();
        var name = Name();
        var credential = new CredentialOptions();
        var version = new Option<int?>("--version") { Description = "Get this version instead of the primary one.", HelpName = "n" };
        var format = new Option<string>("--format") { Description = "Output encoding; raw is refused when stdout is a terminal.", DefaultValueFactory = _ => "hex" };
        format.AcceptOnlyFromAmong("hex", "base64", "raw");
        var command = new Command("get", "Write an entry's key material to stdout as hex, base64 or raw bytes.") { store, name, version, format };
        credential.AddTo(command);
        command.SetAction(r =>
        {
            SecretFormat output = SecretWriter.ParseFormat(r.GetRequiredValue(format));
            SecretWriter.RefuseRawToTerminal(output);
            string path = StoreFile.Existing(r.GetRequiredValue(store));
            using CredentialInput input = credential.Read(r, path, isNew: false);
            return KeyStoreActions.Get(path, input, r.GetRequiredValue(name), r.GetValue(version), output);
        });
        return HelpExamples.With(command, "ama keystore get app.keys db-key", "ama keystore get app.keys db-key --format raw > db.key", "ama keystore get app.keys db-key --version 1 --format base64");
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
        var credential = new CredentialOptions();
        var command = new Command("delete", "Delete an entry, or destroy one version of it.") { store, name, version };
        credential.AddTo(command);
        command.SetAction(r => KeyStoreActions.Delete(r.GetRequiredValue(store), credential.Read(r, StoreFile.Existing(r.GetRequiredValue(store)), isNew: false), r.GetRequiredValue(name), r.GetValue(version)));
        return HelpExamples.With(command, "ama keystore delete app.keys old-key", "ama keystore delete app.keys db-key --version 1");
    }

    private static Command Versions()
    {
        var store = StorePath();
        var name = Name();
        var json = Json();
        var credential = new CredentialOptions();
        var command = new Command("versions", "List the versions of an entry: number, primary, length, creation time, metadata.") { store, name, json };
        credential.AddTo(command);
        command.SetAction(r => KeyStoreActions.Versions(r.GetRequiredValue(store), credential.Read(r, StoreFile.Existing(r.GetRequiredValue(store)), isNew: false), r.GetRequiredValue(name), r.GetValue(json)));
        return HelpExamples.With(command, "ama keystore versions app.keys db-key", "ama keystore versions app.keys db-key --json");
    }

    private static Command Passwd()
    {
        var store = StorePath();
        var current = new CredentialOptions();
        var replacement = new CredentialOptions("new-");
        var kdf = new KdfOptions();
        var command = new Command("passwd", "Change the store's credential (password or key); the entries are not re-encrypted.") { store };
        current.AddTo(command);
        replacement.AddTo(command, withStdin: false);
        kdf.AddTo(command);
        command.SetAction(r =>
        {
            string path = StoreFile.Existing(r.GetRequiredValue(store));
            KeyStoreKdf chosen = kdf.Read(r);
            using CredentialInput old = current.Read(r, path, isNew: false);
            using CredentialInput next = replacement.Read(r, path, isNew: true);
            return KeyStoreActions.Passwd(path, old, next, chosen);
        });
        return HelpExamples.With(command, "ama keystore passwd app.keys", "ama keystore passwd app.keys --password-file old.txt --new-key-file master.key",
            "ama keystore passwd app.keys --key-file old.key --new-password-file pw.txt --kdf pbkdf2");
    }

    private static Command RotateDataKey()
    {
        var store = StorePath();
        var credential = new CredentialOptions();
        var command = new Command("rotate-data-key", "Re-encrypt every entry under a fresh data key.") { store };
        credential.AddTo(command);
        command.SetAction(r => KeyStoreActions.RotateDataKey(r.GetRequiredValue(store), credential.Read(r, StoreFile.Existing(r.GetRequiredValue(store)), isNew: false)));
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
