using System.Globalization;
using System.Text;
using Ama.Cryptography.Tests.Infrastructure;

namespace Ama.Cryptography.Tests.Primitives;

/// <summary>What one dump of the key-hygiene consumer held: every value's findings, and the register notes for the blind recovery.</summary>
public sealed record KeyHygieneDump(
    string Mode,
    DumpKind Kind,
    KeyHygieneValues Values,
    IReadOnlyList<KeyHygieneFinding> Secrets,
    IReadOnlyList<KeyHygieneFinding> Controls,
    IReadOnlyList<byte[]> RegisterNotes,
    IReadOnlyList<string> RegisterNoteNames,
    int Threads,
    int XStateNotes)
{
    /// <summary>Per kind of value: how many of its values were found, with how many hits, how many of them in PT_NOTE.</summary>
    public string Summary()
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"{Mode} {Kind}: {Threads} threads, {RegisterNotes.Count} register notes ({XStateNotes} NT_X86_XSTATE).");
        foreach (IGrouping<string, KeyHygieneFinding> kind in Secrets.GroupBy(f => f.Value.Kind))
        {
            List<KeyHygieneFinding> hits = [.. kind.Where(f => f.Count > 0)];
            text.Append(CultureInfo.InvariantCulture, $"\n  {kind.Key}: {hits.Count} of {kind.Count()} values found");
            if (hits.Count > 0)
            {
                text.Append(CultureInfo.InvariantCulture, $" ({hits.Sum(f => f.Count)} hits, {hits.Sum(f => f.InNotes)} in PT_NOTE)");
            }
        }

        text.Append("\n  controls: ").AppendJoin(", ", Controls.Select(c => $"{c.Value.Name} {c.Count}"));
        return text.ToString();
    }

    /// <summary>Every secret value that was found, by name, with where; never its bytes.</summary>
    public string FoundDetails() => string.Join(
        "\n",
        Secrets.Where(f => f.Count > 0).Select(f => string.Create(
            CultureInfo.InvariantCulture,
            $"  {f.Value.Name}: {f.Count} hits, {f.InNotes} in PT_NOTE; {string.Join("; ", f.Where)}{(f.Count > f.Where.Count ? "; ..." : string.Empty)}")));
}
