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
    }

    internal const int KeyLength = 32;

    internal Option<bool> PasswordStdin { get; }

    internal Option<string?> PasswordFile { get; }

    internal Option<string?> KeyFile { get; }

    internal void AddTo(Command command, bool withStdin = true)
    {
        if (withStdin)
        {
            command.Options.Add(PasswordStdin);
        }

        command.Options.Add(PasswordFile);
        command.Options.Add(KeyFile);
    }

    internal bool UsesStdin(ParseResult result) => result.GetValue(PasswordStdin);

    /// <summary>The cheap checks, made before any prompt: one source at most, and its file exists.</summary>
    internal void Check(ParseResult result)
    {
        bool stdin = result.GetValue(PasswordStdin);
        string? passwordFile = result.GetValue(PasswordFile);
        string? keyFile = result.GetValue(KeyFile);
        if ((stdin ? 1 : 0) + (passwordFile is null ? 0 : 1) + (keyFile is null ? 0 : 1) > 1)
        {
            throw CliException.Usage($"Give only one of --{prefix}password-stdin, --{prefix}password-file and --{prefix}key-file.");
        }

        foreach ((string? file, string what) in (ReadOnlySpan<(string?, string)>)[(passwordFile, "password file"), (keyFile, "key file")])
        {
            if (file is not null && !File.Exists(file))
            {
                throw CliException.NotFound($"The {what} '{file}' does not exist.");
            }
        }
    }

    /// <summary>Reads the credential from the one source given, or asks on the terminal (twice when <paramref name="isNew"/>), naming the store by <paramref name="storeLabel"/>.</summary>
    internal CredentialInput Read(ParseResult result, string storeLabel, bool isNew)
    {
        Check(result);
        bool stdin = result.GetValue(PasswordStdin);
        string? passwordFile = result.GetValue(PasswordFile);
        string? keyFile = result.GetValue(KeyFile);
        if (keyFile is not null)
        {
            (Ama.Cryptography.SecureBuffer buffer, int length) = SecretReader.ReadFile(keyFile, MaxKeyFileBytes, "key file");
            if (length != KeyLength)
            {
                HeldSecrets.Release(buffer);
                throw CliException.BadInput($"The key file '{keyFile}' holds {length} bytes; a key store key is exactly {KeyLength} raw bytes.");
            }

            return CredentialInput.FromKey(buffer, length);
        }

        if (passwordFile is not null)
        {
            (Ama.Cryptography.SecureBuffer buffer, int length) = SecretReader.ReadFile(passwordFile, SecretReader.MaxPasswordBytes, "password file");
            return CredentialInput.FromPassword(SecretReader.PasswordFrom(buffer, length, $"'{passwordFile}'"));
        }

        if (stdin)
        {
            (Ama.Cryptography.SecureBuffer buffer, int length) = SecretReader.ReadAll(Console.OpenStandardInput(), SecretReader.MaxPasswordBytes, "stdin");
            return CredentialInput.FromPassword(SecretReader.PasswordFrom(buffer, length, "stdin"));
        }

        return CredentialInput.FromPassword(isNew
            ? PasswordPrompt.AskNew($"password for {storeLabel}")
            : PasswordPrompt.Ask($"Password for {storeLabel}: "));
    }
}
