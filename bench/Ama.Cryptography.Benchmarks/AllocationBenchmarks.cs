using System.Security.Cryptography;
using Ama.Cryptography.Benchmarks.Interop;
using BenchmarkDotNet.Attributes;
using Isopoh.Cryptography.SecureArray;

namespace Ama.Cryptography.Benchmarks;

/// <summary>
/// Issue 3: allocate, fill and dispose one 32-byte buffer, against libsodium's guarded
/// allocator, Isopoh's locked array and a plain pinned array.
/// </summary>
/// <remarks>The fill is a constant write, so the allocator's cost is not hidden behind an RNG call.</remarks>
public unsafe class AllocationBenchmarks
{
    private const int Size = 32;
    private const byte Pattern = 0xA5;

    private static readonly SecureBufferOptions GuardedOptions = new() { Guarded = true };

    [GlobalSetup]
    public void Setup()
    {
        Sodium.EnsureInitialised();

        // Fail here, not in a measured call, when the library cannot lock (so numbers are never
        // those of a silently degraded buffer).
        using var probe = new SecureBuffer(Size);
        using var guardedProbe = new SecureBuffer(Size, GuardedOptions);
        if (!probe.IsLocked || !guardedProbe.IsLocked)
        {
            throw new InvalidOperationException($"Buffers are not locked: {probe}, {guardedProbe}.");
        }

        Console.WriteLine($"// AMA buffers: {probe}; {guardedProbe}");
    }

    [Benchmark(Baseline = true)]
    public void SodiumMalloc()
    {
        byte* pointer = Sodium.MallocOrThrow(Size);
        new Span<byte>(pointer, Size).Fill(Pattern);
        Sodium.Free(pointer);
    }

    [Benchmark]
    public void SecureBuffer()
    {
        using var buffer = new SecureBuffer(Size);
        buffer.Span.Fill(Pattern);
    }

    [Benchmark]
    public void SecureBufferGuarded()
    {
        using var buffer = new SecureBuffer(Size, GuardedOptions);
        buffer.Span.Fill(Pattern);
    }

    [Benchmark]
    public void IsopohSecureArray()
    {
        using var array = new SecureArray<byte>(Size, SecureArrayType.ZeroedPinnedAndNoSwap);
        array.Buffer.AsSpan().Fill(Pattern);
    }

    [Benchmark]
    public void PinnedArrayZeroMemory()
    {
        byte[] array = GC.AllocateArray<byte>(Size, pinned: true);
        array.AsSpan().Fill(Pattern);
        CryptographicOperations.ZeroMemory(array);
    }
}
