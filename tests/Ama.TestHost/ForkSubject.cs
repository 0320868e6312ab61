using Ama.Cryptography;

namespace Ama.TestHost;

/// <summary>What a fork scenario puts its pattern in: a SecureBuffer of some source and kind, or a control.</summary>
internal sealed unsafe class ForkSubject : IDisposable
{
    private readonly SecureBuffer? buffer;
    private readonly byte[]? array;

    private ForkSubject(nint address, int length, string description, SecureBuffer? buffer = null, byte[]? array = null)
    {
        Address = address;
        Length = length;
        Description = description;
        this.buffer = buffer;
        this.array = array;
    }

    public nint Address { get; }

    public int Length { get; }

    public string Description { get; }

    public Span<byte> Bytes => new((void*)Address, Length);

    /// <summary>
    /// secret-slab, secret-guarded, secret-guarded-reused, locked-slab, locked-guarded, unlocked-slab,
    /// unlocked-guarded: SecureBuffers; managed-array and shared-mapping: the negative controls.
    /// </summary>
    public static ForkSubject Create(string name, delegate* unmanaged<nuint, nint> mapShared)
    {
        const int Size = 64;
        switch (name)
        {
            case "managed-array":
            {
                byte[] pinned = GC.AllocateArray<byte>(Size, pinned: true);
                fixed (byte* start = pinned)
                {
                    return new ForkSubject((nint)start, Size, "pinned managed array", array: pinned);
                }
            }

            case "shared-mapping":
            {
                nint mapping = mapShared((nuint)Environment.SystemPageSize);
                return mapping == 0
                    ? throw new InvalidOperationException("mmap(MAP_SHARED) failed")
                    : new ForkSubject(mapping, Size, "MAP_SHARED anonymous mapping");
            }

            case "secret-guarded-reused":
            {
                // The first buffer's released mapping is kept and handed to the second.
                var options = Options("secret-guarded");
                new SecureBuffer(Size, options).Dispose();
                return FromBuffer(new SecureBuffer(Size, options));
            }

            default:
                return FromBuffer(new SecureBuffer(Size, Options(name)));
        }
    }

    public void Dispose()
    {
        buffer?.Dispose();
        GC.KeepAlive(array);
    }

    private static ForkSubject FromBuffer(SecureBuffer buffer) => new(buffer.UnsafeAddress, buffer.Length, buffer.ToString(), buffer);

    private static SecureBufferOptions Options(string name)
    {
        string[] parts = name.Split('-');
        return new SecureBufferOptions
        {
            Source = parts[0] == "secret" ? SecureMemorySource.SecretMemory : SecureMemorySource.LockedPages,
            LockPolicy = parts[0] == "unlocked" ? MemoryLockPolicy.None : MemoryLockPolicy.BestEffort,
            Guarded = parts[1] == "guarded",
        };
    }
}
