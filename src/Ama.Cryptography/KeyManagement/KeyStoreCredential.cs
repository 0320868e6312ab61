using System.Text;

namespace Ama.Cryptography.KeyManagement;

/// <summary>
/// What opens a key store: a 32-byte master key, or a password from which the master key is
/// derived with <see cref="KeyStoreKdf"/>. The secret is copied straight into secure memory;
/// dispose the credential as soon as the store is open.
/// </summary>
/// <example>
/// <code>
/// using (var credential = KeyStoreCredential.FromPassword(passwordChars))
/// {
///     storage = SecureKeyStorage.Open("keys.amaks", credential);
/// }
/// </code>
/// </example>
public sealed class KeyStoreCredential : IDisposable
{
    /// <summary>The length of a raw master key.</summary>
    public const int KeyLength = 32;

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private readonly SecureBuffer secret;

    private KeyStoreCredential(SecureBuffer secret, KeyStoreKdf? kdf)
    {
        this.secret = secret;
        Kdf = kdf;
    }

    /// <summary>Gets the KDF used when this password credential creates a store or becomes its new credential; <see langword="null"/> for a raw key.</summary>
    /// <remarks><see cref="SecureKeyStorage.Open"/> ignores it and uses the parameters stored in the file.</remarks>
    public KeyStoreKdf? Kdf { get; }

    /// <summary>Gets whether this is a password (rather than a raw key).</summary>
    public bool IsPassword => Kdf is not null;

    /// <summary>Creates a credential from a raw 32-byte master key, which should come from a CSPRNG or a KMS.</summary>
    /// <param name="key">The key; it is copied into secure memory, and the caller should wipe its own copy.</param>
    /// <returns>The credential; dispose it.</returns>
    /// <exception cref="ArgumentException"><paramref name="key"/> is not 32 bytes, or is all zero.</exception>
    public static KeyStoreCredential FromKey(ReadOnlySpan<byte> key)
    {
        if (key.Length != KeyLength)
        {
            throw Error.KeyStoreKeyLength(nameof(key), key.Length);
        }

        if (!key.ContainsAnyExcept((byte)0))
        {
            throw Error.KeyStoreZeroKey(nameof(key));
        }

        var buffer = new SecureBuffer(KeyLength);
        key.CopyTo(buffer.Span);
        return new KeyStoreCredential(buffer, kdf: null);
    }

    /// <summary>Creates a credential from a password with the default KDF (<see cref="KeyStoreKdf.Default"/>: Argon2id, 64 MiB, 3 passes).</summary>
    /// <param name="password">The password; it is encoded as UTF-8 straight into secure memory (no Unicode normalization).</param>
    /// <returns>The credential; dispose it.</returns>
    /// <exception cref="ArgumentException"><paramref name="password"/> is empty or not valid UTF-16.</exception>
    public static KeyStoreCredential FromPassword(ReadOnlySpan<char> password) => FromPassword(password, KeyStoreKdf.Default);

    /// <summary>Creates a credential from a password with the given KDF.</summary>
    /// <param name="password">The password; it is encoded as UTF-8 straight into secure memory (no Unicode normalization).</param>
    /// <param name="kdf">The KDF used when this credential creates a store or replaces a store's credential.</param>
    /// <returns>The credential; dispose it.</returns>
    /// <exception cref="ArgumentException"><paramref name="password"/> is empty or not valid UTF-16.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="kdf"/> is null.</exception>
    public static KeyStoreCredential FromPassword(ReadOnlySpan<char> password, KeyStoreKdf kdf)
    {
        ArgumentNullException.ThrowIfNull(kdf);
        if (password.IsEmpty)
        {
            throw Error.KeyStoreEmptyPassword(nameof(password));
        }

        int length;
        try
        {
            length = StrictUtf8.GetByteCount(password);
        }
        catch (EncoderFallbackException e)
        {
            throw Error.KeyStoreInvalidPassword(nameof(password), e);
        }

        var buffer = new SecureBuffer(length);
        StrictUtf8.GetBytes(password, buffer.Span);
        return new KeyStoreCredential(buffer, kdf);
    }

    /// <summary>Zeroes and frees the secret. Calling it again does nothing.</summary>
    public void Dispose() => secret.Dispose();

    /// <summary>Describes the credential without the secret.</summary>
    /// <returns>The description.</returns>
    public override string ToString() => IsPassword ? $"KeyStoreCredential(password, {Kdf})" : "KeyStoreCredential(raw key)";

    /// <summary>Derives the 32-byte master key into <paramref name="masterKey"/> with <paramref name="kdf"/> (null for a raw key).</summary>
    internal void DeriveMasterKey(KeyStoreKdf? kdf, ReadOnlySpan<byte> salt, Span<byte> masterKey)
    {
        ObjectDisposedException.ThrowIf(secret.IsDisposed, this);
        if (kdf is null)
        {
            secret.Span.CopyTo(masterKey);
            return;
        }

        KeyDerivation.DerivePasswordKey(secret.Span, kdf, salt, masterKey);
    }

    internal void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(secret.IsDisposed, this);
}
