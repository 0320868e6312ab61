using Ama.Cli.Secrets;
using Ama.Cryptography;

namespace Ama.Cli.KeyStore;

/// <summary>
/// The key store operations behind <c>ama keystore</c>. The key store API lives on the
/// <c>keystore</c> branch and is not merged yet: the commands parse, read and check every
/// secret input, and then stop here with <see cref="ExitCodes.Unavailable"/>.
/// </summary>
internal static class KeyStoreActions
{
    internal static int Create(string path, CredentialInput credential, string kdf)
    {
        using (credential)
        {
            _ = kdf;
            return NotWired(path);
        }
    }

    internal static int Put(string path, CredentialInput credential, string name, SecureBuffer material, int length)
    {
        try
        {
            _ = (credential, name, length);
            return NotWired(path);
        }
        finally
        {
            HeldSecrets.Release(material);
        }
    }

    internal static int Get(string path, CredentialInput credential, string name, int? version, SecretFormat format)
    {
        _ = (credential, name, version, format);
        return NotWired(path);
    }

    internal static int List(string path, CredentialInput credential, bool json)
    {
        using (credential)
        {
            _ = json;
            return NotWired(path);
        }
    }

    internal static int Delete(string path, CredentialInput credential, string name, int? version)
    {
        using (credential)
        {
            _ = (name, version);
            return NotWired(path);
        }
    }

    internal static int Versions(string path, CredentialInput credential, string name, bool json)
    {
        using (credential)
        {
            _ = (name, json);
            return NotWired(path);
        }
    }

    internal static int Passwd(string path, CredentialInput current, CredentialInput replacement)
    {
        _ = (current, replacement);
        return NotWired(path);
    }

    internal static int RotateDataKey(string path, CredentialInput credential)
    {
        using (credential)
        {
            return NotWired(path);
        }
    }

    internal static int Info(string path, CredentialInput credential, bool json)
    {
        using (credential)
        {
            _ = json;
            return NotWired(path);
        }
    }

    private static int NotWired(string path) => throw new CliException(
        $"This build of ama cannot open key stores yet ('{path}'): the key store API is not merged.", ExitCodes.Unavailable);
}
