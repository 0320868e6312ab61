using System.Globalization;
using System.Text.Json;
using Ama.Cli.Secrets;
using Ama.Cryptography;
using Ama.Cryptography.KeyManagement;

namespace Ama.Cli.KeyStore;

/// <summary>
/// The key store operations behind <c>ama keystore</c>. Each takes ownership of the credential it is
/// given, turns it into a <see cref="KeyStoreCredential"/> only for as long as opening takes, and
/// reports results on stdout; errors surface as exceptions that <see cref="KeyStoreErrors"/> maps.
/// </summary>
internal static class KeyStoreActions
{
    internal static int Create(StoreTarget target, CredentialInput credential, KeyStoreKdf kdf)
    {
        using (credential)
        {
            using KeyStoreCredential opener = CopyCredential(credential, kdf);
            using KdfNotice notice = KdfNotice.Show(credential.IsPassword);
            using SecureKeyStorage storage = target.Create(opener);
        }

        Console.Error.WriteLine(credential.IsPassword ? $"Created {target.Name} ({kdf})." : $"Created {target.Name} (raw key).");
        return ExitCodes.Success;
    }

    internal static int Put(StoreTarget target, CredentialInput credential, string name, string? materialFile, int? generate, IReadOnlyDictionary<string, string>? metadata, int lockTimeout)
    {
        using SecureKeyStorage storage = Open(target, credential);
        (SecureBuffer material, int length) = MaterialInput.Read(materialFile, generate);
        try
        {
            target.WaitForOtherWriters(lockTimeout);
            using (HeldSecrets.EnterIrreversibleStep())
            {
                int version = storage.Store(name, material.Span[..length], metadata);
                Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Stored {name} version {version} ({length} bytes)."));
            }

            return ExitCodes.Success;
        }
        finally
        {
            HeldSecrets.Release(material);
        }
    }

    internal static int Generate(StoreTarget target, CredentialInput credential, string name, KeyType type, IReadOnlyDictionary<string, string>? metadata, int lockTimeout)
    {
        using SecureKeyStorage storage = Open(target, credential);
        (SecureBuffer material, byte[]? publicKey) = GeneratedKey.Create(type);
        try
        {
            target.WaitForOtherWriters(lockTimeout);
            using (HeldSecrets.EnterIrreversibleStep())
            {
                int version = storage.Store(name, material.Span, metadata);
                Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Stored {name} version {version} ({type.Name}, {material.Length} bytes)."));
            }

            // The public key alone on stdout, so `$(ama keystore generate ...)` captures it.
            if (publicKey is not null)
            {
                Console.Out.WriteLine(Convert.ToBase64String(publicKey));
            }

            return ExitCodes.Success;
        }
        finally
        {
            HeldSecrets.Release(material);
        }
    }

    internal static int Get(StoreTarget target, CredentialInput credential, string name, int? version, SecretFormat format, string? output, bool force)
    {
        using SecureKeyStorage storage = Open(target, credential);

        // Registered at once, so Ctrl-C while writing zeroes the plaintext too.
        SecureBuffer material = HeldSecrets.Track(version is { } v ? storage.Retrieve(name, v) : storage.Retrieve(name));
        try
        {
            SecretWriter.RequireText(name, material.Span, format);
            if (output is null)
            {
                // Not an irreversible step: a reader that stops reading the pipe must not make Ctrl-C wait.
                using Stream stdout = Console.OpenStandardOutput();
                SecretWriter.Write(stdout, material.Span, format);
                return ExitCodes.Success;
            }

            using (HeldSecrets.EnterIrreversibleStep())
            {
                SecretFile.Write(output, material.Span, format, force);
            }

            Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Wrote {name} ({material.Length} bytes, {format.ToString().ToLowerInvariant()}) to {output}, mode 0600."));
            return ExitCodes.Success;
        }
        finally
        {
            HeldSecrets.Release(material);
        }
    }

    internal static int List(StoreTarget target, CredentialInput credential, bool json)
    {
        IReadOnlyList<string> names;
        using (SecureKeyStorage storage = Open(target, credential))
        {
            names = storage.ListKeys();
        }

        if (json)
        {
            WriteJson(writer =>
            {
                writer.WriteStartArray("keys");
                foreach (string name in names)
                {
                    writer.WriteStringValue(name);
                }

                writer.WriteEndArray();
            });
        }
        else if (names.Count == 0)
        {
            // On stderr: a script reading names from stdout must not take "(empty)" for one.
            Console.Error.WriteLine("(empty)");
        }
        else
        {
            foreach (string name in names)
            {
                Console.WriteLine(name);
            }
        }

        return ExitCodes.Success;
    }

    internal static int Delete(StoreTarget target, CredentialInput credential, string name, int? version, bool yes, int lockTimeout)
    {
        using SecureKeyStorage storage = Open(target, credential);

        // Asked only about something that exists: ListVersions names a missing key the way get does.
        IReadOnlyList<KeyVersionInfo> versions = storage.ListVersions(name);
        if (version is { } only && !versions.Any(info => info.Version == only))
        {
            throw CliException.NotFound(string.Create(CultureInfo.InvariantCulture, $"{target.Subject} has no version {only} of '{name}'."));
        }

        string store = target.Label;
        Confirmation.Require(
            version is null
                ? string.Create(CultureInfo.InvariantCulture, $"Delete '{name}' and its {versions.Count} version(s) from {store}? This destroys the key material.")
                : string.Create(CultureInfo.InvariantCulture, $"Destroy version {version} of '{name}' in {store}? This destroys the key material."),
            yes);
        target.WaitForOtherWriters(lockTimeout);
        bool existed = version is { } v ? storage.DestroyVersion(name, v) : storage.Delete(name);
        if (!existed)
        {
            // Another process deleted it between the check and the write.
            string what = version is null ? $"no key named '{name}'" : string.Create(CultureInfo.InvariantCulture, $"no version {version} of '{name}'");
            throw CliException.NotFound($"{target.Subject} has {what}.");
        }

        Console.Error.WriteLine(version is null ? $"Deleted {name}." : string.Create(CultureInfo.InvariantCulture, $"Destroyed {name} version {version}."));
        return ExitCodes.Success;
    }

    internal static int Versions(StoreTarget target, CredentialInput credential, string name, bool json)
    {
        IReadOnlyList<KeyVersionInfo> versions;
        using (SecureKeyStorage storage = Open(target, credential))
        {
            versions = storage.ListVersions(name);
        }

        if (json)
        {
            WriteJson(writer => WriteVersions(writer, name, versions));
            return ExitCodes.Success;
        }

        foreach (KeyVersionInfo info in versions)
        {
            string metadata = string.Join(", ", info.Metadata.Select(pair => $"{pair.Key}={pair.Value}"));
            Console.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $"{info.Version}\t{(info.IsPrimary ? "primary" : "-")}\t{info.Length} bytes\t{info.Created.UtcDateTime:yyyy-MM-ddTHH:mm:ss.fffZ}\t{metadata}"));
        }

        return ExitCodes.Success;
    }

    /// <summary>The old credential is checked (the store opened) before the new one is asked for.</summary>
    internal static int Passwd(StoreTarget target, CredentialInput current, Func<CredentialInput> readReplacement, KeyStoreKdf kdf, int lockTimeout)
    {
        using SecureKeyStorage storage = Open(target, current);
        using CredentialInput replacement = readReplacement();
        using KeyStoreCredential next = CopyCredential(replacement, kdf);
        target.WaitForOtherWriters(lockTimeout);
        using (KdfNotice.Show(replacement.IsPassword))
        {
            storage.ChangeCredential(next);
        }

        Console.Error.WriteLine(replacement.IsPassword ? $"Changed the credential of {target.Name} to a password ({kdf})." : $"Changed the credential of {target.Name} to a raw key.");
        return ExitCodes.Success;
    }

    internal static int RotateDataKey(StoreTarget target, CredentialInput credential, int lockTimeout)
    {
        using SecureKeyStorage storage = Open(target, credential);
        target.WaitForOtherWriters(lockTimeout);
        storage.RotateDataKey();
        Console.Error.WriteLine($"Rotated the data key of {target.Name}; every entry is re-encrypted.");
        return ExitCodes.Success;
    }

    internal static int Info(StoreTarget target, CredentialInput credential, bool json)
    {
        StoreSummary summary;
        using (SecureKeyStorage storage = Open(target, credential))
        {
            summary = StoreSummary.Of(storage);
        }

        if (json)
        {
            WriteJson(writer => WriteInfo(writer, target, summary));
            return ExitCodes.Success;
        }

        target.WriteLocation(Console.Out);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"format version: {summary.FormatVersion}"));
        Console.WriteLine($"kdf:            {summary.KdfDescription}");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"keys:           {summary.Keys}"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"versions:       {summary.Versions}"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"generation:     {summary.Generation}"));
        return ExitCodes.Success;
    }

    /// <summary>Opens the store and disposes the credential (zeroing it) as soon as the store is open.</summary>
    internal static SecureKeyStorage Open(StoreTarget target, CredentialInput credential)
    {
        using (credential)
        {
            // The KDF given here is ignored by Open, which uses the one stored with the store.
            using KeyStoreCredential opener = ToCredential(credential, KeyStoreKdf.Default);
            using KdfNotice notice = KdfNotice.Show(credential.IsPassword);
            return target.Open(opener);
        }
    }

    /// <summary>
    /// The credential a new store or a new password will be sealed under: copied out of the held
    /// buffers as one irreversible step, so a signal cannot zero them halfway and seal the store
    /// under a password nobody typed.
    /// </summary>
    private static KeyStoreCredential CopyCredential(CredentialInput input, KeyStoreKdf kdf)
    {
        using (HeldSecrets.EnterIrreversibleStep())
        {
            return ToCredential(input, kdf);
        }
    }

    private static KeyStoreCredential ToCredential(CredentialInput input, KeyStoreKdf kdf) => input.Password is { } password
        ? KeyStoreCredential.FromPassword(password.Chars, kdf)
        : KeyStoreCredential.FromKey(input.Key);

    private static void WriteVersions(Utf8JsonWriter writer, string name, IReadOnlyList<KeyVersionInfo> versions)
    {
        writer.WriteString("name", name);
        writer.WriteStartArray("versions");
        foreach (KeyVersionInfo info in versions)
        {
            writer.WriteStartObject();
            writer.WriteNumber("version", info.Version);
            writer.WriteBoolean("primary", info.IsPrimary);
            writer.WriteNumber("length", info.Length);
            writer.WriteString("created", info.Created.ToUniversalTime());
            writer.WriteStartObject("metadata");
            foreach ((string key, string value) in info.Metadata)
            {
                writer.WriteString(key, value);
            }

            writer.WriteEndObject();
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
    }

    private static void WriteInfo(Utf8JsonWriter writer, StoreTarget target, StoreSummary summary)
    {
        target.WriteLocation(writer);
        writer.WriteNumber("formatVersion", summary.FormatVersion);
        writer.WriteStartObject("kdf");
        writer.WriteString("algorithm", summary.KdfAlgorithm);
        writer.WriteNumber("memoryKiB", summary.Kdf?.MemoryKiB ?? 0);
        writer.WriteNumber("iterations", summary.Kdf?.Iterations ?? 0);
        writer.WriteEndObject();
        writer.WriteNumber("keys", summary.Keys);
        writer.WriteNumber("versions", summary.Versions);
        writer.WriteNumber("generation", summary.Generation);
    }

    private static void WriteJson(Action<Utf8JsonWriter> body)
    {
        using Stream stdout = Console.OpenStandardOutput();
        using (var writer = new Utf8JsonWriter(stdout, new JsonWriterOptions { Indented = true, Encoder = JsonOutput.Encoder }))
        {
            writer.WriteStartObject();
            writer.WriteNumber("schemaVersion", 1);
            body(writer);
            writer.WriteEndObject();
        }

        stdout.WriteByte((byte)'\n');
    }
}
