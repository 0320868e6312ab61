using System.Globalization;

namespace Ama.Cryptography.KeyManagement;

/// <summary>
/// The password KDF and its cost, chosen when a store is created or its credential changed.
/// The parameters are stored in the store's authenticated header; <see cref="SecureKeyStorage.Open"/>
/// reads them from there and rejects values outside the bounds below before deriving anything,
/// so a hostile file cannot demand gigabytes of memory or hours of work.
/// </summary>
/// <example>
/// <code>
/// using var credential = KeyStoreCredential.FromPassword(password, KeyStoreKdf.Pbkdf2Sha256());
/// </code>
/// </example>
public sealed class KeyStoreKdf
{
    /// <summary>The default Argon2id memory: 64 MiB (in KiB).</summary>
    public const int DefaultArgon2MemoryKiB = 64 * 1024;

    /// <summary>The default Argon2id passes.</summary>
    public const int DefaultArgon2Iterations = 3;

    /// <summary>The default PBKDF2-HMAC-SHA256 iterations (OWASP 2023).</summary>
    public const int DefaultPbkdf2Iterations = 600_000;

    /// <summary>The smallest Argon2id memory accepted: 8 MiB (in KiB).</summary>
    public const int MinArgon2MemoryKiB = 8 * 1024;

    /// <summary>The largest Argon2id memory accepted: 1 GiB (in KiB).</summary>
    public const int MaxArgon2MemoryKiB = 1024 * 1024;

    /// <summary>The fewest Argon2id passes accepted.</summary>
    public const int MinArgon2Iterations = 1;

    /// <summary>The most Argon2id passes accepted.</summary>
    public const int MaxArgon2Iterations = 10;

    /// <summary>The fewest PBKDF2 iterations accepted.</summary>
    public const int MinPbkdf2Iterations = 10_000;

    /// <summary>The most PBKDF2 iterations accepted.</summary>
    public const int MaxPbkdf2Iterations = 10_000_000;

    private KeyStoreKdf(KeyStoreKdfAlgorithm algorithm, int memoryKiB, int iterations)
    {
        Algorithm = algorithm;
        MemoryKiB = memoryKiB;
        Iterations = iterations;
    }

    /// <summary>Gets Argon2id with m = 64 MiB, t = 3, p = 1 (see docs/keystore-format.md for why).</summary>
    public static KeyStoreKdf Default { get; } = new(KeyStoreKdfAlgorithm.Argon2id, DefaultArgon2MemoryKiB, DefaultArgon2Iterations);

    /// <summary>Gets the algorithm.</summary>
    public KeyStoreKdfAlgorithm Algorithm { get; }

    /// <summary>Gets the Argon2id memory in KiB; 0 for PBKDF2.</summary>
    public int MemoryKiB { get; }

    /// <summary>Gets the Argon2id passes or the PBKDF2 iterations.</summary>
    public int Iterations { get; }

    /// <summary>Returns Argon2id parameters (one lane, as libsodium fixes it).</summary>
    /// <param name="memoryKiB">Memory in KiB, from <see cref="MinArgon2MemoryKiB"/> to <see cref="MaxArgon2MemoryKiB"/>.</param>
    /// <param name="iterations">Passes, from <see cref="MinArgon2Iterations"/> to <see cref="MaxArgon2Iterations"/>.</param>
    /// <returns>The parameters.</returns>
    /// <exception cref="ArgumentOutOfRangeException">A value is outside its bounds.</exception>
    public static KeyStoreKdf Argon2id(int memoryKiB = DefaultArgon2MemoryKiB, int iterations = DefaultArgon2Iterations)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(memoryKiB, MinArgon2MemoryKiB);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(memoryKiB, MaxArgon2MemoryKiB);
        ArgumentOutOfRangeException.ThrowIfLessThan(iterations, MinArgon2Iterations);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(iterations, MaxArgon2Iterations);
        return new(KeyStoreKdfAlgorithm.Argon2id, memoryKiB, iterations);
    }

    /// <summary>Returns PBKDF2-HMAC-SHA256 parameters.</summary>
    /// <param name="iterations">Iterations, from <see cref="MinPbkdf2Iterations"/> to <see cref="MaxPbkdf2Iterations"/>.</param>
    /// <returns>The parameters.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="iterations"/> is outside its bounds.</exception>
    public static KeyStoreKdf Pbkdf2Sha256(int iterations = DefaultPbkdf2Iterations)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(iterations, MinPbkdf2Iterations);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(iterations, MaxPbkdf2Iterations);
        return new(KeyStoreKdfAlgorithm.Pbkdf2Sha256, 0, iterations);
    }

    /// <summary>Describes the parameters, e.g. <c>Argon2id(m=65536 KiB, t=3, p=1)</c>.</summary>
    /// <returns>The description.</returns>
    public override string ToString() => Algorithm == KeyStoreKdfAlgorithm.Argon2id
        ? string.Create(CultureInfo.InvariantCulture, $"Argon2id(m={MemoryKiB} KiB, t={Iterations}, p=1)")
        : string.Create(CultureInfo.InvariantCulture, $"PBKDF2-HMAC-SHA256({Iterations} iterations)");

    /// <summary>Reads parameters from a file header, or returns null when they are outside the bounds.</summary>
    internal static KeyStoreKdf? FromHeader(byte algorithm, uint memoryKiB, uint iterations, uint lanes) => (KeyStoreKdfAlgorithm)algorithm switch
    {
        KeyStoreKdfAlgorithm.Argon2id when lanes == 1
            && memoryKiB is >= MinArgon2MemoryKiB and <= MaxArgon2MemoryKiB
            && iterations is >= MinArgon2Iterations and <= MaxArgon2Iterations
            => new(KeyStoreKdfAlgorithm.Argon2id, (int)memoryKiB, (int)iterations),
        KeyStoreKdfAlgorithm.Pbkdf2Sha256 when lanes == 0 && memoryKiB == 0
            && iterations is >= MinPbkdf2Iterations and <= MaxPbkdf2Iterations
            => new(KeyStoreKdfAlgorithm.Pbkdf2Sha256, 0, (int)iterations),
        _ => null,
    };
}
