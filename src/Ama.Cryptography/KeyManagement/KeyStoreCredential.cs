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

    /// <summary>
    /// Creates a credential from a file holding exactly the 32 raw bytes of the master key (the format
    /// of the <c>ama</c> command's <c>--key-file</c>), read with <see cref="SecureBuffer.ReadFile"/>
    /// straight into secure memory: a FIFO, a device or a directory is refused, and so is a file its
    /// group or other users may access unless <paramref name="options"/> allow it.
    /// </summary>
    /// <param name="path">The key file.</param>
    /// <param name="options">The mode checks and the read limit; <see cref="SecureFileOptions.Default"/> when null.
    /// <see cref="SecureFileOptions.TrimTrailingNewline"/> is ignored: a raw key's last byte may be 0x0A.</param>
    /// <returns>The credential; dispose it.</returns>
    /// <exception cref="ArgumentException"><paramref name="path"/> is null or empty.</exception>
    /// <exception cref="InvalidDataException">The file does not hold exactly 32 bytes (the message names the path and the length), or they are all zero.</exception>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="UnauthorizedAccessException">See <see cref="SecureBuffer.ReadFile"/>.</exception>
    /// <exception cref="IOException">See <see cref="SecureBuffer.ReadFile"/>.</exception>
    public static KeyStoreCredential FromKeyFile(string path, SecureFileOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        using SecureBuffer key = SecureBuffer.ReadFile(path, Untrimmed(options));
        return FromKeyBytes(key, Error.KeyFileSource(path));
    }

    /// <summary>
    /// Creates a credential from the systemd credential <paramref name="name"/> holding exactly the 32 raw
    /// bytes of the master key, read with <see cref="SecureBuffer.ReadCredential(string)"/>'s checks (owner-only
    /// regular file in <c>$CREDENTIALS_DIRECTORY</c>); no newline is trimmed.
    /// </summary>
    /// <param name="name">The credential's name, as in <c>LoadCredential=name:/path</c>.</param>
    /// <returns>The credential; dispose it.</returns>
    /// <exception cref="ArgumentException"><paramref name="name"/> is not a valid file name.</exception>
    /// <exception cref="InvalidOperationException"><c>CREDENTIALS_DIRECTORY</c> is not set.</exception>
    /// <exception cref="FileNotFoundException">The credential is not in the directory.</exception>
    /// <exception cref="InvalidDataException">The credential does not hold exactly 32 bytes, or they are all zero.</exception>
    /// <exception cref="UnauthorizedAccessException">See <see cref="SecureBuffer.ReadFile"/>.</exception>
    /// <exception cref="IOException">See <see cref="SecureBuffer.ReadFile"/>.</exception>
    public static KeyStoreCredential FromKeyCredential(string name)
    {
        using SecureBuffer key = SecureBuffer.ReadCredential(name, Untrimmed(null), out string path);
        return FromKeyBytes(key, Error.CredentialSource(name, path));
    }

    /// <summary>
    /// Creates a credential from a password file with the default KDF: the password is the file's
    /// first line as UTF-8, up to the first <c>"\n"</c> or <c>"\r"</c>, as the <c>ama</c> command reads
    /// <c>--password-file</c>. The file is read with <see cref="SecureBuffer.ReadFile"/> and its
    /// checks; the password goes into secure memory with no managed copy.
    /// </summary>
    /// <param name="path">The password file.</param>
    /// <returns>The credential; dispose it.</returns>
    /// <exception cref="ArgumentException"><paramref name="path"/> is null or empty.</exception>
    /// <exception cref="InvalidDataException">The first line is empty or not valid UTF-8 (the message quotes none of it), or the file is longer than <see cref="SecureFileOptions.MaxLength"/>.</exception>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="UnauthorizedAccessException">See <see cref="SecureBuffer.ReadFile"/>.</exception>
    /// <exception cref="IOException">See <see cref="SecureBuffer.ReadFile"/>.</exception>
    public static KeyStoreCredential FromPasswordFile(string path) => FromPasswordFile(path, KeyStoreKdf.Default);

    /// <summary>
    /// Creates a credential from a password file with the given KDF and file checks (pass
    /// <see cref="KeyStoreKdf.Default"/> to change only the checks); see <see cref="FromPasswordFile(string)"/>.
    /// </summary>
    /// <param name="path">The password file.</param>
    /// <param name="kdf">The KDF used when this credential creates a store or replaces a store's credential.</param>
    /// <param name="options">The mode checks and the read limit; <see cref="SecureFileOptions.Default"/> when null.</param>
    /// <returns>The credential; dispose it.</returns>
    /// <exception cref="ArgumentException"><paramref name="path"/> is null or empty.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="kdf"/> is null.</exception>
    /// <exception cref="InvalidDataException">The first line is empty or not valid UTF-8, or the file is too long.</exception>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="UnauthorizedAccessException">See <see cref="SecureBuffer.ReadFile"/>.</exception>
    /// <exception cref="IOException">See <see cref="SecureBuffer.ReadFile"/>.</exception>
    public static KeyStoreCredential FromPasswordFile(string path, KeyStoreKdf kdf, SecureFileOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(kdf);
        using SecureBuffer text = SecureBuffer.ReadFile(path, options);
        return FromPasswordBytes(text, kdf, Error.PasswordFileSource(path));
    }

    /// <summary>
    /// Creates a credential from the systemd credential <paramref name="name"/> holding a password, with
    /// the default KDF; the password is its first line as UTF-8, as <see cref="FromPasswordFile(string)"/> reads it.
    /// </summary>
    /// <param name="name">The credential's name, as in <c>LoadCredential=name:/path</c>.</param>
    /// <returns>The credential; dispose it.</returns>
    /// <exception cref="ArgumentException"><paramref name="name"/> is not a valid file name.</exception>
    /// <exception cref="InvalidOperationException"><c>CREDENTIALS_DIRECTORY</c> is not set.</exception>
    /// <exception cref="FileNotFoundException">The credential is not in the directory.</exception>
    /// <exception cref="InvalidDataException">The first line is empty or not valid UTF-8, or the credential is too long.</exception>
    /// <exception cref="UnauthorizedAccessException">See <see cref="SecureBuffer.ReadFile"/>.</exception>
    /// <exception cref="IOException">See <see cref="SecureBuffer.ReadFile"/>.</exception>
    public static KeyStoreCredential FromPasswordCredential(string name) => FromPasswordCredential(name, KeyStoreKdf.Default);

    /// <summary>Creates a credential from a systemd password credential with the given KDF; see <see cref="FromPasswordCredential(string)"/>.</summary>
    /// <param name="name">The credential's name.</param>
    /// <param name="kdf">The KDF used when this credential creates a store or replaces a store's credential.</param>
    /// <returns>The credential; dispose it.</returns>
    /// <exception cref="ArgumentException"><paramref name="name"/> is not a valid file name.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="kdf"/> is null.</exception>
    /// <exception cref="InvalidOperationException"><c>CREDENTIALS_DIRECTORY</c> is not set.</exception>
    /// <exception cref="FileNotFoundException">The credential is not in the directory.</exception>
    /// <exception cref="InvalidDataException">The first line is empty or not valid UTF-8, or the credential is too long.</exception>
    /// <exception cref="UnauthorizedAccessException">See <see cref="SecureBuffer.ReadFile"/>.</exception>
    /// <exception cref="IOException">See <see cref="SecureBuffer.ReadFile"/>.</exception>
    public static KeyStoreCredential FromPasswordCredential(string name, KeyStoreKdf kdf)
    {
        ArgumentNullException.ThrowIfNull(kdf);
        using SecureBuffer text = SecureBuffer.ReadCredential(name, options: null, out string path);
        return FromPasswordBytes(text, kdf, Error.CredentialSource(name, path));
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

    /// <summary>The caller's mode checks and limit, without trimming: a raw key is read as it is.</summary>
    private static SecureFileOptions Untrimmed(SecureFileOptions? options)
    {
        options ??= SecureFileOptions.Default;
        return new SecureFileOptions
        {
            AllowGroupReadable = options.AllowGroupReadable,
            AllowWorldReadable = options.AllowWorldReadable,
            MaxLength = options.MaxLength,
            TrimTrailingNewline = false,
        };
    }

    private static KeyStoreCredential FromKeyBytes(SecureBuffer key, string source)
    {
        if (key.Length != KeyLength)
        {
            throw Error.KeyStoreKeySourceLength(source, key.Length);
        }

        return key.Span.ContainsAnyExcept((byte)0) ? FromKey(key.Span) : throw Error.KeyStoreKeySourceZero(source);
    }

    /// <summary>
    /// The password is the first line, as the <c>ama</c> command and the hosting package read it. Valid UTF-8
    /// is taken as it is: decoding it to UTF-16 and encoding it back, as <see cref="FromPassword(ReadOnlySpan{char}, KeyStoreKdf)"/>
    /// does, gives the same bytes, so no char copy is made.
    /// </summary>
    private static KeyStoreCredential FromPasswordBytes(SecureBuffer text, KeyStoreKdf kdf, string source)
    {
        ReadOnlySpan<byte> password = text.Span;
        int end = password.IndexOfAny((byte)'\n', (byte)'\r');
        password = end < 0 ? password : password[..end];
        if (password.IsEmpty)
        {
            throw Error.KeyStorePasswordSourceEmpty(source);
        }

        if (!System.Text.Unicode.Utf8.IsValid(password))
        {
            throw Error.KeyStorePasswordSourceNotUtf8(source);
        }

        var buffer = new SecureBuffer(password.Length);
        password.CopyTo(buffer.Span);
        return new KeyStoreCredential(buffer, kdf);
    }

    internal void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(secret.IsDisposed, this);
}
