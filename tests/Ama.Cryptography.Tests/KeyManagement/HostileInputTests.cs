using System.Buffers.Binary;
using System.Diagnostics;
using Ama.Cryptography.KeyManagement;
using Ama.Cryptography.Tests.Infrastructure;
using static Ama.Cryptography.Tests.KeyManagement.KeyStoreTestSupport;

namespace Ama.Cryptography.Tests.KeyManagement;

/// <summary>Hostile files: KDF parameters out of bounds, and random mutations through the parser.</summary>
public sealed class HostileInputTests : IDisposable
{
    private readonly TempKeyStoreDirectory dir = new();

    public void Dispose() => dir.Dispose();

    public static TheoryData<byte, uint, uint, uint> OutOfBounds => new()
    {
        { 1, 4u << 20, 3, 1 },              // Argon2id, 4 GiB
        { 1, uint.MaxValue, 3, 1 },         // Argon2id, 4 TiB
        { 1, 65536, 1_000_000, 1 },         // Argon2id, a million passes
        { 1, 65536, 3, 8 },                 // Argon2id, 8 lanes
        { 1, 65536, 0, 1 },                 // Argon2id, no passes
        { 1, 1024, 3, 1 },                  // Argon2id, 1 MiB
        { 2, 0, uint.MaxValue, 0 },         // PBKDF2, 4 billion iterations
        { 2, 0, 1, 0 },                     // PBKDF2, one iteration
        { 9, 0, 1, 0 },                     // unknown KDF
    };

    [Theory]
    [MemberData(nameof(OutOfBounds))]
    public void Kdf_parameters_beyond_the_bounds_are_rejected_within_a_second(byte algorithm, uint memory, uint iterations, uint lanes)
    {
        byte[] file = PasswordStore();
        SetKdf(file, algorithm, memory, iterations, lanes);
        File.WriteAllBytes(dir.File(), file);
        using var credential = KeyStoreCredential.FromPassword("pw", CheapArgon2);

        // The claim is that no KDF runs (at these parameters one takes minutes or cannot allocate). The best
        // of three opens is timed: a loaded machine, or the first call's JIT, only adds delay to each.
        TimeSpan best = TimeSpan.MaxValue;
        for (int trial = 0; trial < 3; trial++)
        {
            var clock = Stopwatch.StartNew();
            var e = Assert.Throws<KeyStoreDamagedException>(() => SecureKeyStorage.Open(dir.File(), credential));
            best = clock.Elapsed < best ? clock.Elapsed : best;
            Assert.Contains("bounds", e.Message, StringComparison.Ordinal);
        }

        Assert.True(best < TimeSpan.FromSeconds(1), $"took {best} at best");
    }

    [Fact]
    public void Kdf_parameters_inside_the_bounds_reach_the_credential_check()
    {
        // Control for the test above: a changed but valid KDF is run and gives "wrong credential".
        byte[] file = PasswordStore();
        SetKdf(file, 1, KeyStoreKdf.MinArgon2MemoryKiB, 2, 1);
        File.WriteAllBytes(dir.File(), file);
        using var credential = KeyStoreCredential.FromPassword("pw", CheapArgon2);
        Assert.Throws<KeyStoreCredentialException>(() => SecureKeyStorage.Open(dir.File(), credential));
    }

    /// <summary>
    /// A writer's generations run from 1 to 2^63 - 1 (a PostgreSQL bigint holds the same values), so
    /// a header that says otherwise is refused by the parser, by name, before any key is used; the
    /// same check guards the PostgreSQL rows, where the header's generation is read before the checksum.
    /// </summary>
    [Theory]
    [InlineData(0UL)]
    [InlineData(1UL << 63)]
    [InlineData(ulong.MaxValue)]
    public void A_generation_no_writer_produces_is_damage_that_names_it(ulong generation)
    {
        byte[] file = PasswordStore();
        BinaryPrimitives.WriteUInt64LittleEndian(file.AsSpan(28), generation);
        FixChecksum(file);
        var parsed = Assert.Throws<KeyStoreDamagedException>(() => KeyStoreFormat.Parse(file));
        Assert.Contains($"generation is {generation}", parsed.Message, StringComparison.Ordinal);
        File.WriteAllBytes(dir.File(), file);
        using var credential = KeyStoreCredential.FromPassword("pw", CheapArgon2);
        Assert.Throws<KeyStoreDamagedException>(() => SecureKeyStorage.Open(dir.File(), credential));
    }

    [Fact]
    public void Random_mutations_give_only_the_documented_exceptions()
    {
        int iterations = int.TryParse(Environment.GetEnvironmentVariable("AMA_FUZZ_ITERATIONS"), out int n) ? n : 5000;
        byte[] key = RandomKey();
        byte[] original;
        using (var storage = CreateWithKey(dir.File("seed.amaks"), key))
        using (var batch = storage.BeginBatch())
        {
            batch.Store("alpha", [1, 2, 3], new Dictionary<string, string> { ["k"] = "v", ["z"] = "ünïcode" });
            batch.Store("alpha", [4]);
            batch.Store("beta", []);
            batch.Store("gamma", new byte[40]);
            batch.Commit();
            original = File.ReadAllBytes(dir.File("seed.amaks"));
        }

        int seed = Environment.TickCount;
        var random = new Random(seed);
        using var credential = KeyStoreCredential.FromKey(key);
        var outcomes = new Dictionary<string, int>();
        for (int i = 0; i < iterations; i++)
        {
            byte[] mutated = ByteMutator.Mutate(original, random);
            if (random.Next(2) == 0 && mutated.Length >= 32)
            {
                FixChecksum(mutated);
            }

            string outcome = OpenAndReadAll(mutated, credential, original);
            outcomes[outcome] = outcomes.GetValueOrDefault(outcome) + 1;
        }

        Assert.True(outcomes.Keys.All(o => o is "damaged" or "credential" or "opened-unchanged"), $"seed {seed}: {string.Join(", ", outcomes)}");
        Assert.True(outcomes.GetValueOrDefault("damaged") > iterations / 2, string.Join(", ", outcomes));
    }

    private string OpenAndReadAll(byte[] contents, KeyStoreCredential credential, byte[] original)
    {
        string path = dir.File("fuzz.amaks");
        File.WriteAllBytes(path, contents);
        try
        {
            _ = KeyStoreFormat.Parse(contents);
            using var storage = SecureKeyStorage.Open(path, credential);
            // If a mutation opens at all, it must be the original content.
            Assert.Equal(original, contents);
            return "opened-unchanged";
        }
        catch (KeyStoreDamagedException)
        {
            return "damaged";
        }
        catch (KeyStoreCredentialException)
        {
            return "credential";
        }
        catch (Exception e) when (e is not Xunit.Sdk.XunitException)
        {
            return e.GetType().Name + ": " + e.Message;
        }
    }

    private byte[] PasswordStore()
    {
        using (var credential = KeyStoreCredential.FromPassword("pw", CheapArgon2))
        using (var storage = SecureKeyStorage.Create(dir.File("source.amaks"), credential))
        {
            storage.Store("k", [1]);
        }

        return File.ReadAllBytes(dir.File("source.amaks"));
    }

    private static void SetKdf(byte[] file, byte algorithm, uint memory, uint iterations, uint lanes)
    {
        file[36] = algorithm;
        BinaryPrimitives.WriteUInt32LittleEndian(file.AsSpan(40), memory);
        BinaryPrimitives.WriteUInt32LittleEndian(file.AsSpan(44), iterations);
        BinaryPrimitives.WriteUInt32LittleEndian(file.AsSpan(48), lanes);
        FixChecksum(file);
    }
}
