using Ama.Cryptography.KeyManagement;

namespace Ama.Cryptography.Hosting;

/// <summary>
/// Where the host's <see cref="SecureKeyStorage"/> lives and what opens it. Exactly one credential
/// source must be set: <see cref="KeyFile"/>, <see cref="PasswordFile"/>, <see cref="KeyCredential"/>,
/// <see cref="PasswordCredential"/>, <see cref="KeyEnvironmentVariable"/> or <see cref="Credential"/>. The options are validated when
/// the host starts; messages name the option and the path or variable, never a secret.
/// </summary>
public sealed class SecureKeyStorageOptions
{
    /// <summary>Gets or sets the key store file. Required, unless <see cref="OpenStorage"/> opens the store elsewhere.</summary>
    public string? Path { get; set; }

    /// <summary>
    /// Gets or sets a factory that opens a store kept somewhere other than a file, such as
    /// <c>PostgreSqlKeyStorage.Open(dataSource, "web", credential)</c> from the
    /// Ama.Cryptography.PostgreSql package, with the credential the other options read. Set it
    /// instead of <see cref="Path"/>; <see cref="CreateIfMissing"/> then does not apply (the factory
    /// decides whether to create; <see cref="Kdf"/> still applies to a password it is given), and no
    /// file is watched (the store refreshes itself).
    /// The credential is disposed as soon as the factory returns.
    /// </summary>
    public Func<IServiceProvider, KeyStoreCredential, SecureKeyStorage>? OpenStorage { get; set; }

    /// <summary>Gets or sets a file of exactly 32 raw bytes, the master key (the format of the <c>ama</c> command's <c>--key-file</c>).</summary>
    public string? KeyFile { get; set; }

    /// <summary>Gets or sets a file holding the password as UTF-8: its first line, up to the first "\n" or "\r", as the <c>ama</c> command reads <c>--password-file</c>.</summary>
    public string? PasswordFile { get; set; }

    /// <summary>
    /// Gets or sets the name of a systemd credential (<c>LoadCredential=name:/path</c> or
    /// <c>LoadCredentialEncrypted=</c> in the unit) holding exactly 32 raw bytes, the master key, read
    /// from <c>$CREDENTIALS_DIRECTORY</c> with <see cref="KeyStoreCredential.FromKeyCredential"/>. The
    /// file systemd puts there is the service's alone; <see cref="AllowGroupOrWorldReadableCredentialFiles"/> does not apply.
    /// </summary>
    public string? KeyCredential { get; set; }

    /// <summary>
    /// Gets or sets the name of a systemd credential holding the password (its first line, as UTF-8), read
    /// from <c>$CREDENTIALS_DIRECTORY</c> with <see cref="KeyStoreCredential.FromPasswordCredential(string, KeyStoreKdf)"/>.
    /// </summary>
    public string? PasswordCredential { get; set; }

    /// <summary>
    /// Gets or sets the name (not the value) of an environment variable that holds the 32-byte master
    /// key in base64. The variable is consumed when the key is read: on Linux its value is zeroed in
    /// the block /proc/PID/environ shows, and it is removed from the process's environment, so
    /// child processes do not inherit it. Copies made before (the runtime's own copy of the
    /// environment) stay in memory; prefer <see cref="KeyFile"/> or <see cref="KeyCredential"/>.
    /// </summary>
    public string? KeyEnvironmentVariable { get; set; }

    /// <summary>
    /// Gets or sets whether a <see cref="KeyFile"/> or <see cref="PasswordFile"/> that its group or
    /// other users may read or write (any of the mode bits 0077 set) is accepted. Off by default: such
    /// a file fails start-up with a message naming the option, the file and its mode, as ssh refuses
    /// a private key others can read; <c>chmod 600</c> fixes it. Set it only where something else
    /// keeps the file from other users, such as a secret volume whose mode the platform sets (a
    /// Kubernetes secret is 0644 unless its <c>defaultMode</c> is set) inside a container no one else
    /// runs in. Ignored on Windows, which has no such mode.
    /// </summary>
    public bool AllowGroupOrWorldReadableCredentialFiles { get; set; }

    /// <summary>
    /// Gets or sets a factory for the credential, for keys that come from elsewhere (a KMS, a secret
    /// manager). The credential it returns is disposed as soon as the store is open.
    /// </summary>
    public Func<IServiceProvider, KeyStoreCredential>? Credential { get; set; }

    /// <summary>
    /// Gets or sets whether a missing key store file is created (empty) at start-up, where no store
    /// was ever created or opened before. Off by default: a missing file is then an error. A host
    /// that creates or opens the store writes a marker beside it (the store's path with
    /// ".created" appended); while the marker exists, a missing store fails start-up with a message
    /// saying how to restore it, so a store briefly absent (a restore, a rename) is never replaced by
    /// a new, empty one.
    /// </summary>
    public bool CreateIfMissing { get; set; }

    /// <summary>
    /// Gets or sets the lowest generation the store may have at start-up; 0 (the default) pins
    /// nothing. Every write raises a store's generation, so a store found below the pin was rolled
    /// back (restored from an older backup or copy), which undoes every change since, revocations
    /// included: start-up then fails with <see cref="KeyStoreDamagedException"/> naming both
    /// generations. Raise it after a change that must not be undone, such as a revocation.
    /// </summary>
    public long MinimumGeneration { get; set; }

    /// <summary>
    /// Gets or sets a file holding the lowest generation the store may have at start-up, as a whole
    /// number on its first line, for a pin an operator or a deployment keeps apart from the store
    /// (a rollback of the store's volume must not roll the pin back with it). Read at every start;
    /// with <see cref="MinimumGeneration"/> also set, the higher of the two applies.
    /// </summary>
    public string? MinimumGenerationFile { get; set; }

    /// <summary>
    /// Gets or sets the password KDF used when <see cref="CreateIfMissing"/> creates a password store;
    /// <see langword="null"/> means <see cref="KeyStoreKdf.Default"/>. An existing store keeps the KDF recorded in its file.
    /// </summary>
    public KeyStoreKdf? Kdf { get; set; }

    /// <summary>Gets the configuration section these options were bound from, to name its keys in messages; null when set in code only.</summary>
    internal string? ConfigurationPath { get; set; }

    /// <summary>Gets the problems found while binding configuration values (a bad KDF, a bad boolean), reported by validation.</summary>
    internal List<string> ConfigurationErrors { get; } = [];
}
