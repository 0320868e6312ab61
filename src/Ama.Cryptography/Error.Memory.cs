namespace Ama.Cryptography;

/// <summary>The allocator's limits: buffer size, the kernel's mapping count.</summary>
internal static partial class Error
{
    internal static ArgumentOutOfRangeException SizeTooLarge(string paramName, int size, int maxLength) => new(
        paramName, size, Format("The size must not exceed SecureBuffer.MaxLength ({0} bytes).", maxLength));
}
