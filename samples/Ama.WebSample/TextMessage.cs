namespace Ama.WebSample;

/// <summary>The body of /protect (the text) and /unprotect (the protected payload).</summary>
/// <param name="Text">The text.</param>
public sealed record TextMessage(string Text);
