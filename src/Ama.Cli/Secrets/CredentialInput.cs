using Ama.Cryptography;

namespace Ama.Cli.Secrets;

/// <summary>A key store credential as read from the user: a password in secure memory, or a raw key in secure memory.</summary>
internal sealed class CredentialInput : IDisposable
{
    private readonly SecureBuffer? key;
    private readonly int keyLength;

    private CredentialInput(SecretChars? password, SecureBuffer? key, int keyLength)
    {
        Password = password;
        this.key = key;
        this.keyLength = keyLength;
    }

    internal SecretChars? Password { get; }

    internal ReadOnlySpan<byte> Key => key is null ? default : key.Span[..keyLength];

    internal bool IsPassword => Password is not null;

    internal static CredentialInput FromPassword(SecretChars password) => new(password, null, 0);

    internal static CredentialInput FromKey(SecureBuffer key, int length) => new(null, key, length);

    public void Dispose()
    {
        Password?.Dispose();
        HeldSecrets.Release(key);
    }
}
