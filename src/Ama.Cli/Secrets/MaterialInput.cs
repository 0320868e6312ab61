using Ama.Cryptography;

namespace Ama.Cli.Secrets;

/// <summary>Key material for <c>put</c>: from stdin, a file, or generated, always in a registered <see cref="SecureBuffer"/>.</summary>
internal static class MaterialInput
{
    /// <summary>The most <c>put</c> takes; the key store's own limit applies on top of it.</summary>
    internal const int MaxBytes = 64 * 1024;

    internal static (SecureBuffer Buffer, int Length) Read(string? file, int? generate, bool stdinTaken)
    {
        if (file is not null && generate is not null)
        {
            throw CliException.Usage("Give either --file or --generate, not both.");
        }

        (SecureBuffer buffer, int length) = generate is { } count ? Generate(count)
            : file is not null ? SecretReader.ReadFile(file, MaxBytes, "key material file")
            : FromStdin(stdinTaken);
        if (length == 0)
        {
            HeldSecrets.Release(buffer);
            throw CliException.BadInput("The key material is empty.");
        }

        return (buffer, length);
    }

    private static (SecureBuffer Buffer, int Length) Generate(int count)
    {
        if (count is < 1 or > MaxBytes)
        {
            throw CliException.Usage($"--generate takes a byte count from 1 to {MaxBytes}.");
        }

        return (HeldSecrets.Track(SecureMemory.RandomBytes(count)), count);
    }

    private static (SecureBuffer Buffer, int Length) FromStdin(bool stdinTaken)
    {
        if (stdinTaken)
        {
            throw CliException.Usage("stdin already carries the password; give the key material with --file or --generate.");
        }

        if (Terminal.StdinIsTerminal)
        {
            throw CliException.Usage("Refusing to read key material typed on a terminal; pipe it in, or use --file or --generate.");
        }

        return SecretReader.ReadAll(Console.OpenStandardInput(), MaxBytes, "stdin");
    }
}
