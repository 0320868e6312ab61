using System.CommandLine;
using Ama.Cli.KeyStore;
using Ama.Cli.Secrets;

namespace Ama.Cli.Encryption;

/// <summary>
/// <c>ama encrypt</c> and <c>ama decrypt</c>: stream a file or stdin through a key store entry's
/// key ring. The store is named and opened exactly as <c>ama keystore</c> does (the same options,
/// the same credential sources, the same code).
/// </summary>
internal static class EncryptionCommand
{
    private const string PgExample = "--postgres 'Host=db.internal;Database=keys;Username=app' --store app";

    internal static Command Encrypt()
    {
        Command command = Create(
            "encrypt",
            "Encrypt a file or stdin with the newest version of a key store entry, streaming in constant memory. Output: --output FILE (created 0600, named only when complete) or stdout (never a terminal unless --output -).");
        return HelpExamples.With(
            command,
            "ama encrypt --key backup-key --key-store app.keys --output db.dump.ama db.dump",
            "pg_dump app | ama encrypt --key backup-key --key-store app.keys --password-file pw.txt > app.sql.ama",
            $"ama encrypt --key backup-key {PgExample} --key-file master.key --output db.dump.ama db.dump");
    }

    internal static Command Decrypt()
    {
        Command command = Create(
            "decrypt",
            "Decrypt what 'ama encrypt' wrote, with whichever version of the entry encrypted it. A damaged or tampered input exits 65; --output FILE then never appears (0600 when it does).");
        return HelpExamples.With(
            command,
            "ama decrypt --key backup-key --key-store app.keys --output db.dump db.dump.ama",
            "ama decrypt --key backup-key --key-store app.keys --password-file pw.txt < app.sql.ama | psql app",
            "ama decrypt --key backup-key --key-store app.keys --output - notes.txt.ama");
    }

    private static Command Create(string name, string description)
    {
        var store = new StoreOptions(withEntryName: false, fileAsOption: true);
        var credential = new CredentialOptions();
        var key = new Option<string?>("--key") { Description = "The key store entry whose key encrypts or decrypts (required).", HelpName = "name" };
        var output = new Option<string?>("--output", "-o") { Description = "Write to this new file, created 0600 and given its name only when complete; '-' writes to stdout even when it is a terminal. Default: stdout.", HelpName = "path" };
        var force = new Option<bool>("--force") { Description = "With --output: replace an existing file." };
        var input = new Argument<string?>("input") { Arity = ArgumentArity.ZeroOrOne, Description = "The file to read; '-' or left out: stdin." };
        var command = new Command(name, description) { key, output, force, input };
        store.AddTo(command);
        credential.AddTo(command);
        command.SetAction(r =>
        {
            string entry = StoreFile.ValidName(r.GetValue(key) ?? throw EncryptionErrors.KeyRequired(name));
            StreamPlan plan = StreamPlan.Check(name, r.GetValue(input), r.GetValue(output), r.GetValue(force), credential.UsesStdin(r));
            (StoreLocation location, _) = store.Resolve(r, isNew: false);
            credential.Check(r);
            using StoreTarget target = location.Connect();
            return StreamActions.Run(target, credential.Read(r, target.Label, isNew: false), entry, plan, decrypt: name == "decrypt");
        });
        return command;
    }
}
