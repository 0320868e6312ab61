using Ama.Cryptography.Interop;

namespace Ama.Cryptography.Primitives;

/// <summary>Copies key bytes in managed code, then clears the vector registers the copy went through.</summary>
internal static class SecretCopy
{
    internal static void Copy(ReadOnlySpan<byte> source, Span<byte> destination)
    {
        source.CopyTo(destination);
        ScrubbedCall.Scrub(0);
    }
}
