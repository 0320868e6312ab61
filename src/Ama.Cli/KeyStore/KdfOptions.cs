using System.CommandLine;
using Ama.Cryptography.KeyManagement;

namespace Ama.Cli.KeyStore;

/// <summary>
/// <c>--kdf</c>, <c>--kdf-memory</c> and <c>--kdf-iterations</c>: how a new password becomes the
/// master key. The cost is chosen once, at <c>create</c> or <c>passwd</c>, and stored in the file.
/// </summary>
internal sealed class KdfOptions
{
    internal KdfOptions()
    {
        Algorithm = new Option<string>("--kdf")
        {
            Description = "How a new password becomes the master key: argon2id (default, memory-hard) or pbkdf2 (PBKDF2-HMAC-SHA256, for FIPS deployments).",
            DefaultValueFactory = _ => "argon2id",
        };
        Algorithm.AcceptOnlyFromAmong("argon2id", "pbkdf2");
        MemoryKiB = new Option<int?>("--kdf-memory")
        {
            Description = $"Argon2id memory in KiB ({KeyStoreKdf.MinArgon2MemoryKiB} to {KeyStoreKdf.MaxArgon2MemoryKiB}; default {KeyStoreKdf.DefaultArgon2MemoryKiB}).",
            HelpName = "KiB",
        };
        Iterations = new Option<int?>("--kdf-iterations")
        {
            Description = $"Argon2id passes ({KeyStoreKdf.MinArgon2Iterations} to {KeyStoreKdf.MaxArgon2Iterations}; default {KeyStoreKdf.DefaultArgon2Iterations}) " +
                $"or PBKDF2 iterations ({KeyStoreKdf.MinPbkdf2Iterations} to {KeyStoreKdf.MaxPbkdf2Iterations}; default {KeyStoreKdf.DefaultPbkdf2Iterations}).",
            HelpName = "n",
        };
    }

    internal Option<string> Algorithm { get; }

    internal Option<int?> MemoryKiB { get; }

    internal Option<int?> Iterations { get; }

    internal void AddTo(Command command)
    {
        command.Options.Add(Algorithm);
        command.Options.Add(MemoryKiB);
        command.Options.Add(Iterations);
    }

    /// <summary>Builds the KDF; called before any secret is read, so a bad cost never costs a typed password.</summary>
    internal KeyStoreKdf Read(ParseResult result)
    {
        string algorithm = result.GetRequiredValue(Algorithm);
        int? memory = result.GetValue(MemoryKiB);
        int? iterations = result.GetValue(Iterations);
        if (algorithm == "pbkdf2")
        {
            if (memory is not null)
            {
                throw CliException.Usage("--kdf-memory applies to argon2id only.");
            }

            int count = iterations ?? KeyStoreKdf.DefaultPbkdf2Iterations;
            return count is >= KeyStoreKdf.MinPbkdf2Iterations and <= KeyStoreKdf.MaxPbkdf2Iterations
                ? KeyStoreKdf.Pbkdf2Sha256(count)
                : throw CliException.Usage($"--kdf-iterations for pbkdf2 takes {KeyStoreKdf.MinPbkdf2Iterations} to {KeyStoreKdf.MaxPbkdf2Iterations}.");
        }

        int kib = memory ?? KeyStoreKdf.DefaultArgon2MemoryKiB;
        int passes = iterations ?? KeyStoreKdf.DefaultArgon2Iterations;
        if (kib is < KeyStoreKdf.MinArgon2MemoryKiB or > KeyStoreKdf.MaxArgon2MemoryKiB)
        {
            throw CliException.Usage($"--kdf-memory takes {KeyStoreKdf.MinArgon2MemoryKiB} to {KeyStoreKdf.MaxArgon2MemoryKiB} KiB.");
        }

        return passes is >= KeyStoreKdf.MinArgon2Iterations and <= KeyStoreKdf.MaxArgon2Iterations
            ? KeyStoreKdf.Argon2id(kib, passes)
            : throw CliException.Usage($"--kdf-iterations for argon2id takes {KeyStoreKdf.MinArgon2Iterations} to {KeyStoreKdf.MaxArgon2Iterations}.");
    }
}
