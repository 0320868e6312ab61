namespace Ama.Cryptography.Tests.Primitives;

/// <summary>A value searched for in a dump: its kind (for the per-kind counts), a name that says what it is, and its bytes, which no message shows.</summary>
public sealed record KeyEquivalent(string Kind, string Name, byte[] Bytes);
