namespace Ama.Cryptography;

/// <summary>
/// A scope in which a no-access <see cref="SecureBuffer"/> is readable, and writable unless it is read-only.
/// Disposing it, also when an exception leaves the scope, makes the buffer no-access again.
/// </summary>
public readonly ref struct SecureBufferAccess
{
    private readonly SecureBuffer? buffer;

    internal SecureBufferAccess(SecureBuffer buffer) => this.buffer = buffer;

    /// <summary>Gets the buffer's bytes for the length of the scope.</summary>
    public Span<byte> Span => buffer is null ? default : buffer.Span;

    /// <summary>Makes the buffer no-access again.</summary>
    public void Dispose() => buffer?.CloseAccess();
}
