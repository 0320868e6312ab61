using System.Globalization;
using Ama.Cryptography.KeyManagement;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace Ama.Cryptography.Hosting.Internal;

/// <summary>
/// Binds a configuration section by hand: <see cref="KeyStoreKdf"/> is built by factory methods,
/// which the binder cannot call, and hand binding keeps the package trim- and AOT-safe.
/// A bad value is recorded and reported by validation with its configuration key.
/// </summary>
internal sealed class ConfigurationOptionsSetup(IConfigurationSection section) : IConfigureOptions<SecureKeyStorageOptions>
{
    public void Configure(SecureKeyStorageOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.ConfigurationPath = section.Path;
        options.Path = section[nameof(SecureKeyStorageOptions.Path)] ?? options.Path;
        options.KeyFile = section[nameof(SecureKeyStorageOptions.KeyFile)] ?? options.KeyFile;
        options.PasswordFile = section[nameof(SecureKeyStorageOptions.PasswordFile)] ?? options.PasswordFile;
        options.KeyCredential = section[nameof(SecureKeyStorageOptions.KeyCredential)] ?? options.KeyCredential;
        options.PasswordCredential = section[nameof(SecureKeyStorageOptions.PasswordCredential)] ?? options.PasswordCredential;
        options.KeyEnvironmentVariable = section[nameof(SecureKeyStorageOptions.KeyEnvironmentVariable)] ?? options.KeyEnvironmentVariable;
        options.MinimumGenerationFile = section[nameof(SecureKeyStorageOptions.MinimumGenerationFile)] ?? options.MinimumGenerationFile;
        BindCreateIfMissing(options);
        BindAllowReadableByOthers(options);
        BindMinimumGeneration(options);
        BindKdf(options, section.GetSection(nameof(SecureKeyStorageOptions.Kdf)));
    }

    private void BindCreateIfMissing(SecureKeyStorageOptions options)
    {
        IConfigurationSection value = section.GetSection(nameof(SecureKeyStorageOptions.CreateIfMissing));
        if (value.Value is null)
        {
            return;
        }

        if (bool.TryParse(value.Value, out bool create))
        {
            options.CreateIfMissing = create;
        }
        else
        {
            options.ConfigurationErrors.Add(Error.BadConfigurationValue(value.Path, "true or false"));
        }
    }

    private void BindAllowReadableByOthers(SecureKeyStorageOptions options)
    {
        IConfigurationSection value = section.GetSection(nameof(SecureKeyStorageOptions.AllowGroupOrWorldReadableCredentialFiles));
        if (value.Value is null)
        {
            return;
        }

        if (bool.TryParse(value.Value, out bool allow))
        {
            options.AllowGroupOrWorldReadableCredentialFiles = allow;
        }
        else
        {
            options.ConfigurationErrors.Add(Error.BadConfigurationValue(value.Path, "true or false"));
        }
    }

    private void BindMinimumGeneration(SecureKeyStorageOptions options)
    {
        IConfigurationSection value = section.GetSection(nameof(SecureKeyStorageOptions.MinimumGeneration));
        if (value.Value is null)
        {
            return;
        }

        if (long.TryParse(value.Value, NumberStyles.None, CultureInfo.InvariantCulture, out long generation))
        {
            options.MinimumGeneration = generation;
        }
        else
        {
            options.ConfigurationErrors.Add(Error.BadConfigurationValue(value.Path, "a whole number of 0 or more"));
        }
    }

    private static void BindKdf(SecureKeyStorageOptions options, IConfigurationSection kdf)
    {
        if (!kdf.Exists())
        {
            return;
        }

        IConfigurationSection algorithm = kdf.GetSection(nameof(KeyStoreKdf.Algorithm));
        if (string.IsNullOrWhiteSpace(algorithm.Value))
        {
            // MemoryKiB or Iterations alone: the costs mean nothing without the algorithm they are for.
            options.ConfigurationErrors.Add(Error.MissingKdfAlgorithm(algorithm.Path, kdf.Path));
            return;
        }

        if (!Enum.TryParse(algorithm.Value, ignoreCase: true, out KeyStoreKdfAlgorithm chosen) || !Enum.IsDefined(chosen)
            || int.TryParse(algorithm.Value, NumberStyles.Integer, CultureInfo.InvariantCulture, out _))
        {
            options.ConfigurationErrors.Add(Error.BadConfigurationValue(algorithm.Path, "Argon2id or Pbkdf2Sha256"));
            return;
        }

        int? memory = ReadInt(options, kdf.GetSection(nameof(KeyStoreKdf.MemoryKiB)));
        int? iterations = ReadInt(options, kdf.GetSection(nameof(KeyStoreKdf.Iterations)));
        if (chosen == KeyStoreKdfAlgorithm.Pbkdf2Sha256 && memory is not null)
        {
            options.ConfigurationErrors.Add(Error.BadKdf(kdf.Path, Bounds(chosen)));
            return;
        }

        try
        {
            options.Kdf = chosen == KeyStoreKdfAlgorithm.Argon2id
                ? KeyStoreKdf.Argon2id(memory ?? KeyStoreKdf.DefaultArgon2MemoryKiB, iterations ?? KeyStoreKdf.DefaultArgon2Iterations)
                : KeyStoreKdf.Pbkdf2Sha256(iterations ?? KeyStoreKdf.DefaultPbkdf2Iterations);
        }
        catch (ArgumentOutOfRangeException)
        {
            options.ConfigurationErrors.Add(Error.BadKdf(kdf.Path, Bounds(chosen)));
        }
    }

    private static int? ReadInt(SecureKeyStorageOptions options, IConfigurationSection value)
    {
        if (value.Value is null)
        {
            return null;
        }

        if (int.TryParse(value.Value, NumberStyles.Integer, CultureInfo.InvariantCulture, out int parsed))
        {
            return parsed;
        }

        options.ConfigurationErrors.Add(Error.BadConfigurationValue(value.Path, "a whole number"));
        return null;
    }

    private static string Bounds(KeyStoreKdfAlgorithm algorithm) => algorithm == KeyStoreKdfAlgorithm.Argon2id
        ? string.Create(CultureInfo.InvariantCulture,
            $"Argon2id takes MemoryKiB from {KeyStoreKdf.MinArgon2MemoryKiB} to {KeyStoreKdf.MaxArgon2MemoryKiB} and Iterations from {KeyStoreKdf.MinArgon2Iterations} to {KeyStoreKdf.MaxArgon2Iterations}.")
        : string.Create(CultureInfo.InvariantCulture,
            $"Pbkdf2Sha256 takes Iterations from {KeyStoreKdf.MinPbkdf2Iterations} to {KeyStoreKdf.MaxPbkdf2Iterations} (and no MemoryKiB).");
}
