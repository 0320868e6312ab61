using Ama.Cryptography;

namespace Ama.Cli.Secrets;

/// <summary>Key material for <c>put</c>: from stdin, a file, or generated, always in a registered <see cref="SecureBuffer"/>.</summary>
internal static class MaterialInput
{
    /// <summary>The most <c>put</c> takes; the key store's own limit applies on top of it.</summary>
    internal const int MaxBytes = 64 * 1024;

    /// <summary>The cheap checks, made before any password is asked for: a missing source never costs a typed password.</summary>
    internal static void Check(string? file, int? generate, bool stdinTaken)
    {
        if (file is not null && generate is not null)
        {
            throw CliException.Usage("Give either --file or --generate, not both.");
        }

        if (generate is < 1 or > MaxBytes)
        {
            throw CliException.Usage($"--generate takes a byte count from 1 to {MaxBytes}.");
        }

        // A directory or a FIFO exists: the reader refuses it with its own words.
        if (file is not null && !File.Exists(file) && !Directory.Exists(file))
        {
            throw CliException.NotFound($"The key material file '{file}' does not exist.");
        }

        if (file is null && generate is null)
        {
            if (stdinTaken)
            {
                throw CliException.Usage("stdin already carries the password; give the key material with --file or --generate.");
            }

            if (Terminal.StdinIsTerminal)
            {
                throw CliException.Usage("No key material: pipe it in on stdin, or use --file or --generate (ama does not read key material typed on a terminal).");
            }
        }
    }

    /// <summary>Reads the material from the source that <see cref="Check"/> accepted.</summary>
    internal static (SecureBuffer Buffer, int Length) Read(string? file, int? generate)
    {
        (SecureBuffer buffer, int length) = generate is { } count ? (HeldSecrets.Track(SecureMemory.RandomBytes(count)), count)
            : file is not null ? SecretReader.ReadFile(file, MaxBytes, "key material file")
            : SecretReader.ReadAll(Console.OpenStandardInput(), MaxBytes, "stdin");
        if (length == 0)
        {
            HeldSecrets.Release(buffer);
            throw CliException.BadInput("The key material is empty.");
        }

        return (buffer, length);
    }
}
