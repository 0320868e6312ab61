namespace Ama.Cryptography;

/// <summary>The allocator's limits: buffer size, the kernel's mapping count.</summary>
internal static partial class Error
{
    internal static ArgumentOutOfRangeException SizeTooLarge(string paramName, int size, int maxLength) => new(
        paramName, size, Format("The size must not exceed SecureBuffer.MaxLength ({0} bytes).", maxLength));

    internal static SecureMemoryException MapCountExhausted(int count, int limit, string limitName, int headroom) => new(
        Format(
            "Secure memory needs another mapping, but this process has {0} mappings of the {1} allowed ({2}), and the last {3} are left to the .NET runtime. " +
            "Dispose SecureBuffers that are no longer needed (a guarded buffer takes up to three mappings; small buffers share 64 KiB slabs), or raise the limit: sysctl -w vm.max_map_count=262144.",
            count,
            limit,
            limitName,
            headroom),
        12)
    {
        MapCountExhausted = true,
    };
}
