using Ama.Cryptography.KeyManagement;

namespace Ama.Cryptography.Tests.KeyManagement;

/// <summary>
/// The entry set a write works on: random sets, removals and drafts agree with a sorted dictionary, in name
/// order, and a draft's changes never reach the set it was made from.
/// </summary>
public sealed class KeyEntriesTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Random_changes_agree_with_a_sorted_dictionary_and_drafts_leave_their_origin_alone(int seed)
    {
        var random = new Random(seed);
        var model = new SortedDictionary<string, KeyEntry>(StringComparer.Ordinal);
        var entries = new KeyEntries([]);
        for (int round = 0; round < 40; round++)
        {
            var draft = entries.Draft();
            var draftModel = new SortedDictionary<string, KeyEntry>(model, StringComparer.Ordinal);
            for (int change = random.Next(1, 60); change > 0; change--)
            {
                ApplyRandomChange(random, draft, draftModel);
            }

            AssertSame(model, entries); // the draft's changes are its own
            AssertSame(draftModel, draft);
            if (random.Next(3) > 0)
            {
                (entries, model) = (draft, draftModel); // committed
            }
        }
    }

    [Fact]
    public void Names_compare_as_ordinal_bytes_not_as_culture_text()
    {
        var entries = new KeyEntries([]);
        foreach (string name in new[] { "b", "B", "a-1", "a_1", "a.1", "A" })
        {
            entries.Set(new KeyEntry(name));
        }

        Assert.Equal(["A", "B", "a-1", "a.1", "a_1", "b"], entries.Names);
    }

    private static void ApplyRandomChange(Random random, KeyEntries entries, SortedDictionary<string, KeyEntry> model)
    {
        string name = "k" + random.Next(80).ToString("D2", System.Globalization.CultureInfo.InvariantCulture);
        if (random.Next(3) == 0)
        {
            Assert.Equal(model.Remove(name), entries.Remove(name));
            return;
        }

        var entry = new KeyEntry(name) { NextVersion = random.Next(2, 1000) };
        model[name] = entry;
        entries.Set(entry);
    }

    private static void AssertSame(SortedDictionary<string, KeyEntry> model, KeyEntries entries)
    {
        Assert.Equal(model.Count, entries.Count);
        foreach (var (name, entry) in model)
        {
            Assert.True(entries.TryGetValue(name, out var found));
            Assert.Same(entry, found);
        }

        Assert.False(entries.ContainsKey("absent"));
        Assert.Equal(model.Values, entries.Ordered.ToArray());
    }
}
