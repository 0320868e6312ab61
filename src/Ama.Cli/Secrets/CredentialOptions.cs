using System.CommandLine;

namespace Ama.Cli.Secrets;

/// <summary>
/// The options that say where a credential comes from. Secrets never come from argv: the
/// options name a file or stdin, and without them ama asks on the terminal without echo.
/// </summary>
internal sealed class CredentialOptions
{
    internal const int MaxKeyFileBytes = 1024;

    private readonly string prefix;

    internal CredentialOptions(string prefix = "")
    {
        this.prefix = prefix;
        string what = prefix.Length == 0 ? "the store's" : "the new";
        PasswordStdin = new Option<bool>($"--{prefix}password-stdin")
        {
            Description = $"Read {what} password from stdin (up to the first line break).",
        };
        PasswordFile = new Option<string?>($"--{prefix}password-file")
        {
            Description = $"Read {what} password from this file (up to the first line break).",
            HelpName = "path",
        };
        KeyFile = new Option<string?>($"--{prefix}key-file")
        {
            Description = $"Use the raw {KeyLength}-byte key in this file as {what} credential instead of a password.",
            HelpName = "path",
        };
        PasswordCredential = new Option<string?>($"--{prefix}password-credential")
        {
            Description = $"Read {what} password from the systemd credential of this name in $CREDENTIALS_DIRECTORY (up to the first line break).",
            HelpName = "name",
        };
        KeyCredential = new Option<string?>($"--{prefix}key-credential")
        {
            Description = $"Use the raw {KeyLength}-byte key in the systemd credential of this name in $CREDENTIALS_DIRECTORY as {what} credential.",
            HelpName = "name",
        };
    }

    internal const int KeyLength = 32;

    internal Option<bool> PasswordStdin { get; }

    internal Option<string?> PasswordFile { get; }

    internal Option<string?> KeyFile { get; }

    internal Option<string?> PasswordCredential { get; }

    internal Option<string?> KeyCredential { get; }

    internal void AddTo(Command command, bool withStdin = true)
    {
        if (withStdin)
        {
            command.Options.Add(PasswordStdin);
        }

        command.Options.Add(PasswordFile);
        command.Options.Add(KeyFile);
        command.Options.Add(PasswordCredential);
        command.Options.Add(KeyCredential);
    }

    internal bool UsesStdin(ParseResult result) => result.GetValue(PasswordStdin);

    /// <summary>The cheap checks, made before any prompt: one source at most, and its file exists.</summary>
    internal void Check(ParseResult result)
    {
        bool stdin = result.GetValue(PasswordStdin);
        string? passwordFile = result.GetValue(PasswordFile);
        string? keyFile = result.GetValue(KeyFile);
        int given = (stdin ? 1 : 0) + (passwordFile is null ? 0 : 1) + (keyFile is null ? 0 : 1)
            + (result.GetValue(PasswordCredential) is null ? 0 : 1) + (result.GetValue(KeyCredential) is null ? 0 : 1);
        if (given > 1)
        {
            throw CliException.Usage($"Give only one of --{prefix}password-stdin, --{prefix}password-file, --{prefix}key-file, --{prefix}password-credential and --{prefix}key-credential.");
        }

        foreach ((string? file, string what) in (ReadOnlySpan<(string?, string)>)[(passwordFile, "password file"), (keyFile, "key file")])
        {
            // A directory or a FIFO exists: the reader refuses it with its own words.
            if (file is not null && !File.Exists(file) && !Directory.Exists(file))
            {
                throw CliException.NotFound($"The {what} '{file}' does not exist.");
            }
        }
    }

    /// <summary>Reads the credential from the one source given, or asks on the terminal (twice when <paramref name="isNew"/>), naming the store by <paramref name="storeLabel"/>.</summary>
    internal CredentialInput Read(ParseResult result, string storeLabel, bool isNew)
    {
        Check(result);
        if (result.GetValue(KeyFile) is { } keyFile)
        {
            return Key(SecretReader.ReadFile(keyFile, MaxKeyFileBytes, "key file"), $"The key file '{keyFile}'");
        }

        if (result.GetValue(KeyCredential) is { } keyCredential)
        {
            return Key(SecretReader.ReadCredential(keyCredential, MaxKeyFileBytes, $"--{prefix}key-credential"), $"The key credential '{keyCredential}'");
        }

        if (result.GetValue(PasswordFile) is { } passwordFile)
        {
            (Ama.Cryptography.SecureBuffer buffer, int length) = SecretReader.ReadFile(passwordFile, SecretReader.MaxPasswordBytes, "password file");
            return CredentialInput.FromPassword(SecretReader.PasswordFrom(buffer, length, $"'{passwordFile}'"));
        }

        if (result.GetValue(PasswordCredential) is { } passwordCredential)
        {
            (Ama.Cryptography.SecureBuffer buffer, int length) = SecretReader.ReadCredential(passwordCredential, SecretReader.MaxPasswordBytes, $"--{prefix}password-credential");
            return CredentialInput.FromPassword(SecretReader.PasswordFrom(buffer, length, $"the credential '{passwordCredential}'"));
        }

        if (result.GetValue(PasswordStdin))
        {
            (Ama.Cryptography.SecureBuffer buffer, int length) = SecretReader.ReadAll(Console.OpenStandardInput(), SecretReader.MaxPasswordBytes, "stdin");
            return CredentialInput.FromPassword(SecretReader.PasswordFrom(buffer, length, "stdin"));
        }

        return CredentialInput.FromPassword(isNew
            ? PasswordPrompt.AskNew($"password for {storeLabel}")
            : PasswordPrompt.Ask($"Password for {storeLabel}: "));
    }

    private static CredentialInput Key((Ama.Cryptography.SecureBuffer Buffer, int Length) read, string source)
    {
        if (read.Length != KeyLength)
        {
            HeldSecrets.Release(read.Buffer);
            throw CliException.BadInput($"{source} holds {read.Length} bytes; a key store key is exactly {KeyLength} raw bytes.");
        }

        return CredentialInput.FromKey(read.Buffer, read.Length);
    }
}
