using System.Security.Cryptography;
using System.Text;

namespace Ama.Cryptography.Tests.Readers;

/// <summary>
/// The readers allocate no managed array the size of the secret: reading a 1 MiB key allocates
/// far less than 1 MiB on the managed heap. The control reads the same file with
/// File.ReadAllBytes and sees the allocation, so the measure would catch a managed copy.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class NoManagedCopyTests : IDisposable
{
    private const int Size = 1024 * 1024;

    /// <summary>Room for exceptions-free bookkeeping (delegates, handles, strings of the path): far below <see cref="Size"/>.</summary>
    private const long Budget = 64 * 1024;

    private readonly ReaderFiles files = new();

    public void Dispose() => files.Dispose();

    [Fact]
    public void ReadFile_of_1_MiB_allocates_no_managed_copy()
    {
        string path = files.File("big", RandomNumberGenerator.GetBytes(Size));
        SecureBuffer.ReadFile(path).Dispose(); // JIT and first-use allocations are not counted.

        long allocated = Allocated(() => SecureBuffer.ReadFile(path));

        Assert.InRange(allocated, 0, Budget);
    }

    [Fact]
    public void ReadFrom_of_1_MiB_allocates_no_managed_copy()
    {
        string path = files.File("big", RandomNumberGenerator.GetBytes(Size));
        long allocated = Allocated(() =>
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 0);
            return SecureBuffer.ReadFrom(stream, Size);
        });

        Assert.InRange(allocated, 0, Budget);
    }

    [Fact]
    public void FromBase64_and_FromHex_of_1_MiB_allocate_no_managed_copy()
    {
        byte[] key = RandomNumberGenerator.GetBytes(Size);
        byte[] base64 = Encoding.ASCII.GetBytes(Convert.ToBase64String(key));
        byte[] hex = Encoding.ASCII.GetBytes(Convert.ToHexString(key));

        Assert.InRange(Allocated(() => SecureBuffer.FromBase64(base64)), 0, Budget);
        Assert.InRange(Allocated(() => SecureBuffer.FromHex(hex)), 0, Budget);
    }

    [Fact]
    public void Control_File_ReadAllBytes_is_seen_by_the_measure()
    {
        string path = files.File("big", RandomNumberGenerator.GetBytes(Size));
        long allocated = Allocated(() =>
        {
            byte[] copy = File.ReadAllBytes(path);
            var buffer = new SecureBuffer(copy.Length);
            copy.CopyTo(buffer.Span);
            return buffer;
        });

        Assert.True(allocated >= Size, $"the measure saw {allocated} bytes");
    }

    private static long Allocated(Func<SecureBuffer> read)
    {
        read().Dispose();
        long before = GC.GetAllocatedBytesForCurrentThread();
        using SecureBuffer buffer = read();
        long after = GC.GetAllocatedBytesForCurrentThread();
        Assert.Equal(Size, buffer.Length);
        return after - before;
    }
}
