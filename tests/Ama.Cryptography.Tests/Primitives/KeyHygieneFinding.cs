namespace Ama.Cryptography.Tests.Primitives;

/// <summary>How often one value was found in a dump, how many of those were in PT_NOTE, and where the first few were.</summary>
public sealed record KeyHygieneFinding(KeyEquivalent Value, int Count, int InNotes, IReadOnlyList<string> Where);
