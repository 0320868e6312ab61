using System.Buffers.Binary;
using System.Diagnostics;
using Ama.Cryptography.KeyManagement;
using static Ama.Cryptography.Tests.KeyManagement.KeyStoreTestSupport;

namespace Ama.Cryptography.Tests.KeyManagement;

/// <summary>Damaged files give <see cref="KeyStoreDamagedException"/>: never wrong plaintext, never another exception.</summary>
public sealed class TamperTests : IDisposable
{
    private readonly TempKeyStoreDirectory dir = new();
    private readonly byte[] key = RandomKey();

    public void Dispose() => dir.Dispose();

    [Fact]
    public void Flipping_any_single_byte_gives_the_damaged_exception()
    {
        byte[] original = SmallStore(dir.File());
        AssertOpens(original); // control: the untouched file opens and decrypts
        for (int i = 0; i < original.Length; i++)
        {
            byte[] tampered = (byte[])original.Clone();
            tampered[i] ^= 0x01;
            AssertDamaged(tampered, $"flip at {i}");
        }
    }

    [Fact]
    public void Flipping_a_byte_and_fixing_the_checksum_is_still_caught_by_the_keyed_checks()
    {
        byte[] original = SmallStore(dir.File());
        int caughtAsWrongCredential = 0;
        for (int i = 0; i < original.Length - 32; i++)
        {
            byte[] tampered = (byte[])original.Clone();
            tampered[i] ^= 0x80;
            FixChecksum(tampered);
            File.WriteAllBytes(dir.File("t.amaks"), tampered);
            try
            {
                using var storage = OpenWithKey(dir.File("t.amaks"), key);
                Assert.Fail($"the edit at {i} opened");
            }
            catch (KeyStoreDamagedException)
            {
            }
            catch (KeyStoreCredentialException)
            {
                // Editing the salt, store id or commitment changes which key the header asks for.
                Assert.InRange(i, 12, 107);
                caughtAsWrongCredential++;
            }
        }

        Assert.True(caughtAsWrongCredential > 0);
    }

    [Fact]
    public void Truncation_at_every_length_gives_the_damaged_exception()
    {
        byte[] original = SmallStore(dir.File());
        for (int length = 0; length < original.Length; length++)
        {
            AssertDamaged(original[..length], $"truncated to {length}");
        }

        AssertDamaged([.. original, 0], "one byte appended");
    }

    [Fact]
    public void Entries_swapped_between_two_stores_with_the_same_key_give_the_damaged_exception()
    {
        byte[] first = SmallStore(dir.File("a.amaks"));
        byte[] second = SmallStore(dir.File("b.amaks"));
        var (offset, length) = EntryRange(first, "beta");
        Assert.Equal((offset, length), EntryRange(second, "beta"));
        byte[] swapped = (byte[])second.Clone();
        Array.Copy(first, offset, swapped, offset, length);
        Assert.NotEqual(second, swapped);
        FixChecksum(swapped);
        AssertDamaged(swapped, "entry from another store");
    }

    [Fact]
    public void Deleting_reordering_or_rolling_back_one_entry_gives_the_damaged_exception()
    {
        using (var storage = CreateWithKey(dir.File(), key))
        {
            storage.Store("alpha", [1]);
            storage.Store("beta", [2]);
        }

        byte[] older = File.ReadAllBytes(dir.File());
        using (var storage = OpenWithKey(dir.File(), key))
        {
            storage.Store("beta", [3]);
            storage.Store("gamma", [4]);
        }

        byte[] current = File.ReadAllBytes(dir.File());
        var (betaOffset, betaLength) = EntryRange(current, "beta");
        var (gammaOffset, gammaLength) = EntryRange(current, "gamma");

        byte[] deleted = [.. current[..gammaOffset], .. current[(gammaOffset + gammaLength)..]];
        BinaryPrimitives.WriteUInt32LittleEndian(deleted.AsSpan(168), 2);
        FixChecksum(deleted);
        AssertDamaged(deleted, "gamma deleted");

        byte[] reordered = [.. current[..betaOffset], .. current[gammaOffset..(gammaOffset + gammaLength)], .. current[betaOffset..(betaOffset + betaLength)], .. current[(gammaOffset + gammaLength)..]];
        FixChecksum(reordered);
        AssertDamaged(reordered, "beta and gamma reordered");

        var (oldBetaOffset, oldBetaLength) = EntryRange(older, "beta");
        byte[] rolledBack = [.. current[..betaOffset], .. older[oldBetaOffset..(oldBetaOffset + oldBetaLength)], .. current[(betaOffset + betaLength)..]];
        FixChecksum(rolledBack);
        AssertDamaged(rolledBack, "beta rolled back");
    }

    private byte[] SmallStore(string path)
    {
        using (var storage = CreateWithKey(path, key))
        using (var batch = storage.BeginBatch())
        {
            batch.Store("alpha", [1, 2, 3, 4], new Dictionary<string, string> { ["m"] = "v" });
            batch.Store("beta", [5, 6, 7, 8]);
            batch.Commit();
        }

        return File.ReadAllBytes(path);
    }

    private void AssertOpens(byte[] contents)
    {
        File.WriteAllBytes(dir.File("t.amaks"), contents);
        using var storage = OpenWithKey(dir.File("t.amaks"), key);
        Assert.Equal([1, 2, 3, 4], RetrieveBytes(storage, "alpha"));
        Assert.Equal([5, 6, 7, 8], RetrieveBytes(storage, "beta"));
    }

    private void AssertDamaged(byte[] contents, string what)
    {
        File.WriteAllBytes(dir.File("t.amaks"), contents);
        var e = Record.Exception(() => OpenWithKey(dir.File("t.amaks"), key).Dispose());
        Assert.True(e is KeyStoreDamagedException, $"{what}: {e?.GetType().Name ?? "opened"}: {e?.Message}");
    }

    /// <summary>Finds an entry by its name field (length byte, name) and returns its byte range in the file.</summary>
    private static (int Offset, int Length) EntryRange(byte[] file, string name)
    {
        var state = KeyStoreFormat.Parse(file);
        int offset = KeyStoreFormat.HeaderLength;
        foreach (var entry in state.Entries.Ordered)
        {
            int length = 1 + entry.Name.Length + 4 + 2 + entry.Versions.Sum(v =>
                4 + 8 + 2 + v.Metadata.Sum(m => 4 + m.Key.Length + m.Value.Length) + 4 + v.Sealed.Length);
            if (entry.Name == name)
            {
                Debug.Assert(file[offset] == name.Length, "the name length byte starts the entry");
                return (offset, length);
            }

            offset += length;
        }

        throw new InvalidOperationException(name);
    }
}
